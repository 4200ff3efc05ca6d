import { Navigate } from '@tanstack/react-router';
import { useApp, useProjects } from '../app/context';
import { ErrorMessage } from '../components/ErrorMessage';

/** Opens the remembered project (or the first one) at its sessions. */
export function HomePage() {
  const { prefs } = useApp();
  const projects = useProjects();
  if (projects.error) return <ErrorMessage error={projects.error} title="Could not list projects" />;
  if (!projects.data) return <p role="status">Loading projects…</p>;
  const saved = prefs.projectId();
  const project = projects.data.find((candidate) => candidate.id === saved) ?? projects.data[0];
  if (!project) {
    return (
      <section>
        <h1>No projects yet</h1>
        <p>You are not a member of any project. Ask an admin of your organization to add you.</p>
      </section>
    );
  }
  return <Navigate to="/projects/$projectId/sessions" params={{ projectId: project.id }} replace />;
}
