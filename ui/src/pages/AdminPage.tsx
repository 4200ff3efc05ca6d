import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type FormEvent, useId, useState } from 'react';
import {
  type ApiKeyView,
  type IssuedKey,
  KEY_SCOPES,
  type KeyScope,
  type Member,
  PROVIDERS,
  type Project,
  type ProviderId,
  type ProviderKeyScope,
  type ProviderKeyView,
  ROLES,
  type Role,
} from '../api/client';
import { atLeast, type RoleTab, useApp, useProjects } from '../app/context';
import { useTitle } from '../app/title';
import { CopyButton } from '../components/CopyButton';
import { ErrorMessage } from '../components/ErrorMessage';
import { formatTime } from '../components/format';
import { Options } from '../components/Options';
import { QueryList } from '../components/QueryList';
import { RoleTabsPage } from '../components/RoleTabsPage';
import { SelectField } from '../components/SelectField';
import { DataTable } from '../components/Table';
import { TextField } from '../components/TextField';
import type { AdminTab } from '../router';

const route = getRouteApi('/signed-in/projects/$projectId/admin');

const TABS: RoleTab<AdminTab>[] = [
  { value: 'keys', label: 'API keys', weakest: 'member' },
  { value: 'members', label: 'Members', weakest: 'member' },
  { value: 'projects', label: 'Projects', weakest: 'viewer' },
  // The data plane refuses provider keys to anyone below admin (403); members do not see the tab.
  { value: 'provider-keys', label: 'Provider keys', weakest: 'admin' },
];

/**
 * Projects, members and API keys. What the user's role cannot do is not shown (the APIs refuse it
 * anyway): viewers see projects; members also see keys and members; admins and owners change them.
 */
export function AdminPage() {
  useTitle('Admin');
  const { projectId } = route.useParams();
  const { tab: requested } = route.useSearch();
  const navigate = route.useNavigate();
  const projects = useProjects();
  const project = projects.data?.find((candidate) => candidate.id === projectId);
  return (
    <RoleTabsPage
      projectId={projectId}
      tabs={TABS}
      requested={requested}
      heading="Admin"
      summary={(role) => (
        <>
          {project ? `Project ${project.name}` : null} · your role: <strong data-testid="role">{role}</strong>
        </>
      )}
      idPrefix="admin"
      onSelect={(next) => void navigate({ search: { tab: next }, replace: true })}
    >
      {(tab, role) => (
        <>
          {tab === 'keys' ? <KeysPanel projectId={projectId} canManage={atLeast(role, 'admin')} /> : null}
          {tab === 'members' ? (
            project ? (
              <MembersPanel orgId={project.org_id} role={role} />
            ) : projects.error ? (
              <ErrorMessage error={projects.error} />
            ) : (
              <p role="status">Loading…</p>
            )
          ) : null}
          {tab === 'projects' ? (
            <ProjectsPanel current={projectId} orgId={project?.org_id} canCreate={atLeast(role, 'admin')} />
          ) : null}
          {tab === 'provider-keys' ? <ProviderKeysPanel projectId={projectId} /> : null}
        </>
      )}
    </RoleTabsPage>
  );
}

// ---- API keys ----

const SCOPE_HELP: Record<KeyScope, string> = {
  ingest: 'send traces and events',
  read: 'read events and sessions',
  admin: 'administer the project through the data plane',
};

function KeysPanel({ projectId, canManage }: { projectId: string; canManage: boolean }) {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const keys = useQuery({ queryKey: ['keys', projectId], queryFn: () => api.listKeys(projectId) });
  // The new key lives only in this state: never in the query cache, gone once dismissed.
  const [issued, setIssued] = useState<IssuedKey>();
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['keys', projectId] });
  const onIssued = (key: IssuedKey) => {
    setIssued(key);
    void refresh();
  };

  return (
    <>
      <h2>API keys</h2>
      <p className="muted">
        Keys let applications send traces to this project and read them back. A key is shown once, when it is
        made.
      </p>
      {issued ? <NewKey issued={issued} onDone={() => setIssued(undefined)} /> : null}
      {canManage ? <CreateKey projectId={projectId} onIssued={onIssued} /> : null}
      <QueryList query={keys} what="keys" empty={<p>No keys yet.</p>}>
        {(rows) => (
          <DataTable
            testId="keys-table"
            caption="API keys"
            columns={[
              'Key',
              'Scopes',
              'Status',
              'Created',
              'Created by',
              'Expires / revoked',
              canManage && 'Actions',
            ]}
          >
            {sortKeys(rows).map((key) => (
              <KeyRow
                key={key.id}
                apiKey={key}
                projectId={projectId}
                canManage={canManage}
                onChanged={refresh}
                onIssued={onIssued}
              />
            ))}
          </DataTable>
        )}
      </QueryList>
    </>
  );
}

/** Active keys first, newest first within each. */
function sortKeys(keys: readonly ApiKeyView[]): ApiKeyView[] {
  return [...keys].sort(
    (a, b) =>
      Number(a.status !== 'active') - Number(b.status !== 'active') ||
      b.created_at.localeCompare(a.created_at),
  );
}

function CreateKey({ projectId, onIssued }: { projectId: string; onIssued(key: IssuedKey): void }) {
  const { api } = useApp();
  const [scopes, setScopes] = useState<KeyScope[]>(['ingest', 'read']);
  const create = useMutation({
    mutationFn: () => api.createKey(projectId, scopes),
    onSuccess: onIssued,
  });
  const submit = (event: FormEvent) => {
    event.preventDefault();
    create.mutate();
  };
  return (
    <form className="card stack" onSubmit={submit} aria-label="Create an API key">
      <fieldset>
        <legend>Scopes of the new key</legend>
        {KEY_SCOPES.map((scope) => (
          <label key={scope} className="check">
            <input
              type="checkbox"
              checked={scopes.includes(scope)}
              onChange={(event) =>
                setScopes((current) =>
                  event.target.checked
                    ? KEY_SCOPES.filter((candidate) => candidate === scope || current.includes(candidate))
                    : current.filter((candidate) => candidate !== scope),
                )
              }
            />
            {scope} <span className="muted small">({SCOPE_HELP[scope]})</span>
          </label>
        ))}
      </fieldset>
      <ErrorMessage error={create.error} title="Could not create the key" />
      <div className="row">
        <button type="submit" disabled={create.isPending || scopes.length === 0}>
          Create key
        </button>
        {scopes.length === 0 ? <span className="muted small">Choose at least one scope.</span> : null}
      </div>
    </form>
  );
}

function NewKey({ issued, onDone }: { issued: IssuedKey; onDone(): void }) {
  return (
    <section className="card secret" aria-labelledby="new-key-title" data-testid="new-key">
      <h3 id="new-key-title">{issued.replaced ? 'Rotated: the new API key' : 'Your new API key'}</h3>
      <p>
        <strong>Copy it now.</strong> This is the only time it is shown; Waggle keeps only its hash.
      </p>
      <p className="row">
        <code className="secret-value" data-testid="new-api-key">
          {issued.key}
        </code>
        <CopyButton text={issued.key} label="Copy key" />
      </p>
      <p className="muted small">Scopes: {issued.scopes.join(', ')}</p>
      <button type="button" onClick={onDone}>
        Done, I have stored the key
      </button>
    </section>
  );
}

const GRACE_CHOICES = [
  { seconds: 0, label: 'Revoke the old key now' },
  { seconds: 3600, label: 'Old key works 1 more hour' },
  { seconds: 86_400, label: 'Old key works 1 more day' },
  { seconds: 604_800, label: 'Old key works 7 more days' },
];

function KeyRow({
  apiKey,
  projectId,
  canManage,
  onChanged,
  onIssued,
}: {
  apiKey: ApiKeyView;
  projectId: string;
  canManage: boolean;
  onChanged(): void;
  onIssued(key: IssuedKey): void;
}) {
  const { api } = useApp();
  const [confirming, setConfirming] = useState<'revoke' | 'rotate'>();
  const [grace, setGrace] = useState(0);
  const revoke = useMutation({
    mutationFn: () => api.revokeKey(projectId, apiKey.id),
    onSuccess: () => {
      setConfirming(undefined);
      onChanged();
    },
  });
  const rotate = useMutation({
    mutationFn: () => api.rotateKey(projectId, apiKey.id, grace),
    onSuccess: (issued) => {
      setConfirming(undefined);
      onIssued(issued);
    },
  });
  const active = apiKey.status === 'active';
  return (
    <tr data-testid={`key-${apiKey.prefix}`}>
      <th scope="row">
        <code>{apiKey.prefix}…</code>
      </th>
      <td>{apiKey.scopes.join(', ')}</td>
      <td>
        <span className={active ? 'status ok' : 'status off'}>{apiKey.status}</span>
      </td>
      <td>{formatTime(Date.parse(apiKey.created_at))}</td>
      <td className="ellipsis">{apiKey.created_by}</td>
      <td>
        {apiKey.revoked_at
          ? `revoked ${formatTime(Date.parse(apiKey.revoked_at))}`
          : apiKey.expires_at
            ? `expires ${formatTime(Date.parse(apiKey.expires_at))}`
            : ''}
      </td>
      {canManage ? (
        <td>
          <div className="actions">
            {active && confirming === undefined ? (
              <>
                <button
                  type="button"
                  className="secondary small"
                  aria-label={`Rotate key ${apiKey.prefix}`}
                  onClick={() => setConfirming('rotate')}
                >
                  Rotate
                </button>
                <button
                  type="button"
                  className="danger small"
                  aria-label={`Revoke key ${apiKey.prefix}`}
                  onClick={() => setConfirming('revoke')}
                >
                  Revoke
                </button>
              </>
            ) : null}
            {active && confirming === 'revoke' ? (
              <>
                <span>Revoke? Apps using it stop working.</span>
                <ConfirmButtons
                  action="revoke"
                  className="danger small"
                  prefix={apiKey.prefix}
                  pending={revoke.isPending}
                  onConfirm={() => revoke.mutate()}
                  onCancel={() => setConfirming(undefined)}
                />
              </>
            ) : null}
            {active && confirming === 'rotate' ? (
              <>
                <select
                  aria-label="Old key after rotation"
                  value={grace}
                  onChange={(event) => setGrace(Number(event.target.value))}
                >
                  {GRACE_CHOICES.map((choice) => (
                    <option key={choice.seconds} value={choice.seconds}>
                      {choice.label}
                    </option>
                  ))}
                </select>
                <ConfirmButtons
                  action="rotate"
                  className="small"
                  prefix={apiKey.prefix}
                  pending={rotate.isPending}
                  onConfirm={() => rotate.mutate()}
                  onCancel={() => setConfirming(undefined)}
                />
              </>
            ) : null}
          </div>
          <ErrorMessage error={revoke.error ?? rotate.error} />
        </td>
      ) : null}
    </tr>
  );
}

/** "Confirm <action>" (disabled while it runs) and Cancel, for the key named by its prefix (or provider and scope). */
function ConfirmButtons({
  action,
  className,
  prefix,
  pending,
  onConfirm,
  onCancel,
}: {
  action: 'revoke' | 'rotate' | 'delete';
  className: string;
  prefix: string;
  pending: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  return (
    <>
      <button
        type="button"
        className={className}
        aria-label={`Confirm ${action} key ${prefix}`}
        disabled={pending}
        onClick={onConfirm}
      >
        Confirm {action}
      </button>
      <button type="button" className="secondary small" onClick={onCancel}>
        Cancel
      </button>
    </>
  );
}

// ---- Members ----

function MembersPanel({ orgId, role }: { orgId: string; role: Role | undefined }) {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const members = useQuery({ queryKey: ['members', orgId], queryFn: () => api.listMembers(orgId) });
  const canManage = atLeast(role, 'admin');
  // Nobody grants, changes or removes a role stronger than their own.
  const grantable = ROLES.filter((candidate) => atLeast(role, candidate));
  const refresh = () => queryClient.invalidateQueries({ queryKey: ['members', orgId] });
  return (
    <>
      <h2>Members</h2>
      <ErrorMessage error={members.error} title="Could not list members" />
      {members.isLoading ? <p role="status">Loading members…</p> : null}
      {members.data ? (
        <DataTable
          testId="members-table"
          caption="Members of the organization"
          columns={['Email', 'User id', 'Where', 'Role', canManage && 'Actions']}
        >
          {members.data.map((member) => (
            <MemberRow
              key={`${member.user_id}/${member.workspace_id ?? ''}`}
              member={member}
              actions={canManage}
              canManage={canManage && atLeast(role, member.role)}
              grantable={grantable}
              onChanged={refresh}
            />
          ))}
        </DataTable>
      ) : null}
      {canManage ? <AddMember orgId={orgId} grantable={grantable} onAdded={refresh} /> : null}
    </>
  );
}

function MemberRow({
  member,
  actions,
  canManage,
  grantable,
  onChanged,
}: {
  member: Member;
  /** Whether the table has an actions column. */
  actions: boolean;
  canManage: boolean;
  grantable: Role[];
  onChanged(): void;
}) {
  const { api, sessions } = useApp();
  const name = member.email ?? member.user_id;
  const isYou = sessions.get()?.userId === member.user_id;
  const setRole = useMutation({
    mutationFn: (role: Role) =>
      api.setMember(member.org_id, member.user_id, {
        role,
        workspace_id: member.workspace_id,
        email: member.email,
      }),
    onSuccess: onChanged,
  });
  const remove = useMutation({
    mutationFn: () => api.removeMember(member.org_id, member.user_id, member.workspace_id),
    onSuccess: onChanged,
  });
  return (
    <tr>
      <th scope="row">
        {member.email ?? '–'}
        {isYou ? <span className="muted small"> (you)</span> : null}
      </th>
      <td className="ellipsis">{member.user_id}</td>
      <td>{member.workspace_id ? `workspace ${member.workspace_id}` : 'organization'}</td>
      <td>
        {canManage ? (
          <select
            aria-label={`Role of ${name}`}
            value={member.role}
            disabled={setRole.isPending}
            onChange={(event) => setRole.mutate(event.target.value as Role)}
          >
            <Options values={grantable} />
          </select>
        ) : (
          member.role
        )}
      </td>
      {actions ? (
        <td>
          {canManage ? (
            <button
              type="button"
              className="danger small"
              aria-label={`Remove ${name}`}
              disabled={remove.isPending}
              onClick={() => remove.mutate()}
            >
              Remove
            </button>
          ) : null}
          <ErrorMessage error={setRole.error ?? remove.error} />
        </td>
      ) : null}
    </tr>
  );
}

function AddMember({ orgId, grantable, onAdded }: { orgId: string; grantable: Role[]; onAdded(): void }) {
  const { api } = useApp();
  const [userId, setUserId] = useState('');
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const roleId = useId();
  const add = useMutation({
    mutationFn: () => api.setMember(orgId, userId.trim(), { role, email: email.trim() || undefined }),
    onSuccess: () => {
      setUserId('');
      setEmail('');
      onAdded();
    },
  });
  return (
    <form
      className="card stack"
      aria-label="Add a member"
      onSubmit={(event) => {
        event.preventDefault();
        add.mutate();
      }}
    >
      <h3>Add a member to the organization</h3>
      <div className="row">
        <TextField label="User id" required value={userId} onChange={setUserId} />
        <TextField label="Member email" type="email" value={email} onChange={setEmail} />
        <div className="field">
          <label htmlFor={roleId}>Role</label>
          <select id={roleId} value={role} onChange={(event) => setRole(event.target.value as Role)}>
            <Options values={grantable} />
          </select>
        </div>
      </div>
      <ErrorMessage error={add.error} title="Could not add the member" />
      <div>
        <button type="submit" disabled={add.isPending}>
          Add member
        </button>
      </div>
    </form>
  );
}

// ---- Projects ----

function ProjectsPanel({
  current,
  orgId,
  canCreate,
}: {
  current: string;
  orgId: string | undefined;
  canCreate: boolean;
}) {
  const projects = useProjects();
  return (
    <>
      <h2>Projects</h2>
      <ErrorMessage error={projects.error} title="Could not list projects" />
      {projects.data ? (
        <DataTable testId="projects-table" caption="Projects" columns={['Name', 'Description', 'Created']}>
          {projects.data.map((project: Project) => (
            <tr key={project.id}>
              <th scope="row">
                <Link
                  to="/projects/$projectId/sessions"
                  params={{ projectId: project.id }}
                  aria-current={project.id === current ? 'true' : undefined}
                >
                  {project.name}
                </Link>
                {project.id === current ? <span className="muted small"> (current)</span> : null}
              </th>
              <td>{project.description ?? ''}</td>
              <td>{formatTime(Date.parse(project.created_at))}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
      {canCreate ? <CreateProject orgId={orgId} /> : null}
    </>
  );
}

function CreateProject({ orgId }: { orgId: string | undefined }) {
  const { api } = useApp();
  const queryClient = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: () =>
      api.createProject({ name: name.trim(), description: description.trim() || undefined, org_id: orgId }),
    onSuccess: () => {
      setName('');
      setDescription('');
      void queryClient.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  return (
    <form
      className="card stack"
      aria-label="Create a project"
      onSubmit={(event) => {
        event.preventDefault();
        create.mutate();
      }}
    >
      <h3>Create a project</h3>
      <div className="row">
        <TextField label="Project name" required value={name} onChange={setName} />
        <TextField className="grow" label="Description" value={description} onChange={setDescription} />
      </div>
      <ErrorMessage error={create.error} title="Could not create the project" />
      {create.data ? <p role="status">Project {create.data.name} created.</p> : null}
      <div>
        <button type="submit" disabled={create.isPending}>
          Create project
        </button>
      </div>
    </form>
  );
}

// ---- Provider keys (data plane; admin and owner only) ----

/** What each provider takes besides its scope (docs/providers.md, lambdas/domain/providers/providers.ts). */
const PROVIDER_NEEDS: Record<ProviderId, { apiKey: boolean; baseUrl: 'required' | 'optional' | 'none' }> = {
  openai: { apiKey: true, baseUrl: 'optional' },
  anthropic: { apiKey: true, baseUrl: 'optional' },
  azure: { apiKey: true, baseUrl: 'required' },
  'google-vertex': { apiKey: true, baseUrl: 'optional' },
  bedrock: { apiKey: false, baseUrl: 'none' },
  'openai-compatible': { apiKey: true, baseUrl: 'required' },
};

function ProviderKeysPanel({ projectId }: { projectId: string }) {
  const { api, dataPlane } = useApp();
  const queryClient = useQueryClient();
  const target = { dataPlaneId: dataPlane.id, projectId };
  const listKey = ['provider-keys', dataPlane.id, projectId];
  const auditKey = ['provider-keys-audit', dataPlane.id, projectId];
  const keys = useQuery({ queryKey: listKey, queryFn: () => api.listProviderKeys(target) });
  const audit = useQuery({ queryKey: auditKey, queryFn: () => api.providerKeyAudit(target, 20) });
  const refresh = () => {
    void queryClient.invalidateQueries({ queryKey: listKey });
    void queryClient.invalidateQueries({ queryKey: auditKey });
  };
  return (
    <>
      <h2>Provider keys</h2>
      <p className="muted">
        Credentials the data plane uses to call an LLM provider for this project. A project key wins over its
        workspace&apos;s. A key is never shown again after it is saved: only its last four characters.
      </p>
      <SetProviderKey projectId={projectId} onSaved={refresh} />
      <QueryList
        query={{ ...keys, data: keys.data?.provider_keys }}
        what="provider keys"
        empty={<p>No provider keys yet.</p>}
      >
        {(rows) => (
          <DataTable
            testId="provider-keys-table"
            caption="Provider keys"
            columns={['Provider', 'Scope', 'Key', 'Base URL / region', 'Updated', 'Updated by', 'Actions']}
          >
            {rows.map((key) => (
              <ProviderKeyRow
                key={`${key.provider}/${key.scope}`}
                providerKey={key}
                projectId={projectId}
                onChanged={refresh}
              />
            ))}
          </DataTable>
        )}
      </QueryList>
      <h3>Recent changes</h3>
      <ErrorMessage error={audit.error} title="Could not read the provider-key audit" />
      {audit.data && audit.data.entries.length === 0 ? <p className="muted">No changes yet.</p> : null}
      {audit.data && audit.data.entries.length > 0 ? (
        <DataTable
          testId="provider-keys-audit"
          caption="Recent provider-key changes"
          columns={['When', 'Provider', 'Scope', 'Action', 'By']}
        >
          {audit.data.entries.map((entry) => (
            <tr key={`${entry.at}/${entry.provider}/${entry.scope}/${entry.version ?? ''}/${entry.action}`}>
              <td>{formatTime(Date.parse(entry.at))}</td>
              <td>{entry.provider}</td>
              <td>{entry.scope}</td>
              <td>{entry.action}</td>
              <td className="ellipsis">{entry.actor}</td>
            </tr>
          ))}
        </DataTable>
      ) : null}
    </>
  );
}

function ProviderKeyRow({
  providerKey,
  projectId,
  onChanged,
}: {
  providerKey: ProviderKeyView;
  projectId: string;
  onChanged(): void;
}) {
  const { api, dataPlane } = useApp();
  const [confirming, setConfirming] = useState(false);
  const name = `${providerKey.provider} (${providerKey.scope})`;
  const remove = useMutation({
    mutationFn: () =>
      api.deleteProviderKey(
        { dataPlaneId: dataPlane.id, projectId },
        providerKey.provider,
        providerKey.scope,
      ),
    onSuccess: () => {
      setConfirming(false);
      onChanged();
    },
  });
  return (
    <tr data-testid={`provider-key-${providerKey.provider}-${providerKey.scope}`}>
      <th scope="row">{providerKey.provider}</th>
      <td>{providerKey.scope}</td>
      <td>{providerKey.last4 ? <code>…{providerKey.last4}</code> : <span className="muted">–</span>}</td>
      <td className="ellipsis">{providerKey.base_url ?? providerKey.region ?? ''}</td>
      <td>{formatTime(Date.parse(providerKey.updated_at))}</td>
      <td className="ellipsis">{providerKey.updated_by}</td>
      <td>
        <div className="actions">
          {confirming ? (
            <>
              <span>Delete? Calls to {providerKey.provider} stop using it.</span>
              <ConfirmButtons
                action="delete"
                className="danger small"
                prefix={name}
                pending={remove.isPending}
                onConfirm={() => remove.mutate()}
                onCancel={() => setConfirming(false)}
              />
            </>
          ) : (
            <button
              type="button"
              className="danger small"
              aria-label={`Delete key ${name}`}
              onClick={() => setConfirming(true)}
            >
              Delete
            </button>
          )}
        </div>
        <ErrorMessage error={remove.error} />
      </td>
    </tr>
  );
}

function SetProviderKey({ projectId, onSaved }: { projectId: string; onSaved(): void }) {
  const { api, dataPlane } = useApp();
  const [provider, setProvider] = useState<ProviderId>('openai');
  const [scope, setScope] = useState<ProviderKeyScope>('project');
  // The secret lives only in this field until it is sent; it is cleared once saved.
  const [apiKey, setApiKey] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [region, setRegion] = useState('');
  const needs = PROVIDER_NEEDS[provider];
  const save = useMutation({
    mutationFn: () =>
      api.setProviderKey({ dataPlaneId: dataPlane.id, projectId }, provider, {
        scope,
        api_key: needs.apiKey ? apiKey : undefined,
        base_url: needs.baseUrl !== 'none' && baseUrl.trim() !== '' ? baseUrl.trim() : undefined,
        region: provider === 'bedrock' && region.trim() !== '' ? region.trim() : undefined,
      }),
    onSuccess: () => {
      setApiKey('');
      onSaved();
    },
  });
  return (
    <form
      className="card stack"
      aria-label="Set a provider key"
      onSubmit={(event) => {
        event.preventDefault();
        save.mutate();
      }}
    >
      <h3>Set or replace a provider key</h3>
      <div className="row">
        <SelectField label="Provider" value={provider} values={PROVIDERS} onChange={setProvider} />
        <fieldset>
          <legend>Scope</legend>
          {(['project', 'workspace'] as const).map((candidate) => (
            <label key={candidate} className="check">
              <input
                type="radio"
                name="provider-key-scope"
                value={candidate}
                checked={scope === candidate}
                onChange={() => setScope(candidate)}
              />
              {candidate === 'project' ? 'This project' : 'The whole workspace'}
            </label>
          ))}
        </fieldset>
      </div>
      <div className="row">
        {needs.apiKey ? (
          <TextField
            className="grow"
            label="API key"
            type="password"
            required
            autoComplete="off"
            spellCheck={false}
            value={apiKey}
            onChange={setApiKey}
          />
        ) : (
          <p className="muted small">
            Bedrock is called with the IAM role of the function that calls the model; no key is stored.
          </p>
        )}
        {needs.baseUrl !== 'none' ? (
          // Text, not type=url: the data plane's own checks and words are the ones shown.
          <TextField
            className="grow"
            label={`Base URL${needs.baseUrl === 'optional' ? ' (optional)' : ''}`}
            inputMode="url"
            required={needs.baseUrl === 'required'}
            value={baseUrl}
            onChange={setBaseUrl}
          />
        ) : null}
        {provider === 'bedrock' ? (
          <TextField label="Region (optional)" value={region} onChange={setRegion} />
        ) : null}
      </div>
      <ErrorMessage error={save.error} title="Could not save the provider key" />
      {save.data && !save.isPending ? (
        <p role="status">
          Saved the {save.data.provider} key ({save.data.scope}
          {save.data.last4 ? `, ending ${save.data.last4}` : ''}).
        </p>
      ) : null}
      <div>
        <button type="submit" disabled={save.isPending}>
          Save provider key
        </button>
      </div>
    </form>
  );
}
