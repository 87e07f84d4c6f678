-- Phase 2, step 2: organization-based isolation.
alter table public.organizations enable row level security;
alter table public.organizations force row level security;
create policy "Members read their organizations" on public.organizations
  for select to authenticated using (id in (select public.user_organization_ids()));

alter table public.organization_memberships enable row level security;
create policy "Members read memberships of their organizations" on public.organization_memberships
  for select to authenticated
  using (user_id = auth.uid() or organization_id in (select public.user_organization_ids()));

drop policy "Users manage their own reports" on public.audit_reports;
create policy "Organization members manage reports" on public.audit_reports
  for all to authenticated
  using (organization_id in (select public.user_organization_ids()))
  with check (organization_id in (select public.user_organization_ids()));
alter table public.audit_reports force row level security;

-- automation_jobs keeps its per-user policy until the Workers deploy (see runbook step 3).
alter table public.automation_jobs force row level security;

drop policy "Users manage their own automations" on public.generated_automations;
alter table public.generated_automations force row level security;

grant select on public.organizations, public.organization_memberships to authenticated;
