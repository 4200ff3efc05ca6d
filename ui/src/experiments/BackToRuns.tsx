import { Link } from '@tanstack/react-router';

/** The crumb back to a project's experiments, atop a run and a comparison. */
export function BackToRuns({ projectId }: { projectId: string }) {
  return (
    <p className="crumbs">
      <Link to="/projects/$projectId/runs" params={{ projectId }}>
        ← Experiments
      </Link>
    </p>
  );
}
