-- ProcessAudit AI, single-tenant: every row belongs to the user who made it.
create table public.audit_reports (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  title text not null,
  process_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);
create index audit_reports_user_id_idx on public.audit_reports (user_id);

create table public.automation_jobs (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  audit_report_id uuid references public.audit_reports (id) on delete set null,
  status text not null default 'queued',
  created_at timestamptz not null default now()
);

create table public.generated_automations (
  id uuid primary key default gen_random_uuid(),
  job_id uuid not null references public.automation_jobs (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  platform text not null,
  automation_data jsonb not null default '{}'::jsonb,
  created_at timestamptz not null default now()
);

alter table public.audit_reports enable row level security;
alter table public.automation_jobs enable row level security;
alter table public.generated_automations enable row level security;

create policy "Users manage their own reports" on public.audit_reports
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "Users manage their own jobs" on public.automation_jobs
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());
create policy "Users manage their own automations" on public.generated_automations
  for all to authenticated using (user_id = auth.uid()) with check (user_id = auth.uid());

grant select, insert, update, delete on public.audit_reports, public.automation_jobs, public.generated_automations to authenticated;
