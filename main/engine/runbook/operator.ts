/**
 * Who signs a runbook step: the OS user, with the git identity where there is one. TENANCY_OPERATOR
 * still names the operator, but is recorded as an override next to the OS user it overrode. In CI
 * (GitHub Actions) the CI's own identity and run are what an approval records.
 */
import { execFileSync } from 'node:child_process';
import os from 'node:os';

/** The operator of this process. */
export interface RunbookOperator {
  /** What the journal records, e.g. "ann (git Ann Lee <ann@example.com>)" or "dba-ann (override; os user root)". */
  name: string;
  osUser: string;
  git: string | null;
  /** TENANCY_OPERATOR when it was set. */
  override: string | null;
}

function osUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return 'unknown';
  }
}

function gitIdentity(cwd: string): string | null {
  const get = (key: string): string => {
    try {
      return execFileSync('git', ['config', '--get', key], { cwd, encoding: 'utf8', timeout: 2000, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return '';
    }
  };
  const name = get('user.name');
  const email = get('user.email');
  if (!name && !email) return null;
  return email ? `${name || email} <${email}>` : name;
}

/** The operator from the OS, git (in `cwd`) and TENANCY_OPERATOR. */
export function runbookOperator(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): RunbookOperator {
  const user = osUser();
  const git = gitIdentity(cwd);
  const override = env.TENANCY_OPERATOR?.trim() || null;
  const name = override ? `${override} (override; os user ${user})` : git ? `${user} (git ${git})` : user;
  return { name, osUser: user, git, override };
}

/** The CI's identity when running in GitHub Actions, else null. */
export interface CiIdentity {
  ci: string;
  actor: string;
  runId: string;
  workflow: string;
  environment: string | null;
  repository: string | null;
  /** What started the workflow (GITHUB_EVENT_NAME: workflow_dispatch, push, ...). */
  event: string | null;
}

/** GitHub Actions' identity (GITHUB_ACTOR, GITHUB_RUN_ID, GITHUB_WORKFLOW), or null when not all are there. */
export function ciIdentity(env: NodeJS.ProcessEnv = process.env): CiIdentity | null {
  if (env.GITHUB_ACTIONS !== 'true' || !env.GITHUB_ACTOR || !env.GITHUB_RUN_ID || !env.GITHUB_WORKFLOW) return null;
  return {
    ci: 'github-actions', actor: env.GITHUB_ACTOR, runId: env.GITHUB_RUN_ID, workflow: env.GITHUB_WORKFLOW,
    environment: env.GITHUB_ENVIRONMENT || env.TENANCY_CI_ENVIRONMENT || null, repository: env.GITHUB_REPOSITORY || null,
    event: env.GITHUB_EVENT_NAME || null,
  };
}

/** Whether an environment variable counts as set: anything but unset, empty, "0" or "false". */
export function envIsSet(value: string | undefined): boolean {
  return value !== undefined && !['', '0', 'false'].includes(value.trim().toLowerCase());
}

/**
 * Why an approval may not be given here, or null: in CI a GITHUB_EVENT_NAME outside `events`
 * (a push when only manual dispatch may run it), anywhere a variable of `unsetEnv` that is set.
 */
export function approvalGuardProblem(approval: { events?: string[]; unsetEnv?: string[] }, env: NodeJS.ProcessEnv, ci: CiIdentity | null): string | null {
  if (ci && approval.events && !approval.events.includes(ci.event ?? '')) {
    return `approval: this workflow run was started by ${ci.event ?? 'an unknown event (GITHUB_EVENT_NAME is not set)'}; only ${approval.events.join(' or ')} may run this runbook`;
  }
  const set = (approval.unsetEnv ?? []).filter((v) => envIsSet(env[v]));
  if (set.length) return `approval: ${set.join(', ')} ${set.length === 1 ? 'is' : 'are'} set; this runbook runs only with ${set.length === 1 ? 'it' : 'them'} unset (or "0"), behind a manual approval`;
  return null;
}
