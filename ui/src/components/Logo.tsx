/** Waggle's mark: a honeycomb cell, drawn inline (no image or font to fetch). */
export function Logo({ size = 20 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" aria-hidden="true" focusable="false" className="logo">
      <path d="M12 2 20.66 7v10L12 22l-8.66-5V7z" fill="#f2b705" stroke="#8a5a00" strokeWidth="1.5" />
      <path d="M8 10.5h8M8 13.5h8" stroke="#3b2a00" strokeWidth="1.6" strokeLinecap="round" />
    </svg>
  );
}
