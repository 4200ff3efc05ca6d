export function App() {
  return <main>Waggle</main>;
}
