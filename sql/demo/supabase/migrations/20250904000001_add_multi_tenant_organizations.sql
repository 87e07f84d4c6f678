-- Phase 2, step 1: organizations, memberships, and organization_id on every tenant table.
create table public.organizations (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  slug text not null unique,
  plan text not null default 'free',
  created_at timestamptz not null default now()
);

create table public.organization_memberships (
  id uuid primary key default gen_random_uuid(),
  organization_id uuid not null references public.organizations (id) on delete cascade,
  user_id uuid not null references auth.users (id) on delete cascade,
  role text not null default 'member',
  status text not null default 'active',
  created_at timestamptz not null default now(),
  unique (organization_id, user_id)
);
create index organization_memberships_user_id_idx on public.organization_memberships (user_id);

alter table public.audit_reports add column organization_id uuid references public.organizations (id) on delete cascade;
alter table public.automation_jobs add column organization_id uuid references public.organizations (id) on delete cascade;
alter table public.generated_automations add column organization_id uuid references public.organizations (id) on delete cascade;

create index idx_audit_reports_organization_id on public.audit_reports (organization_id);
create index idx_automation_jobs_organization_id on public.automation_jobs (organization_id);
create index idx_generated_automations_organization_id on public.generated_automations (organization_id);

-- The organizations the calling user belongs to; security definer so policies on
-- organization_memberships do not recurse into themselves.
create function public.user_organization_ids() returns setof uuid
language sql stable security definer set search_path = public as $$
  select organization_id from public.organization_memberships
  where user_id = auth.uid() and status = 'active'
$$;

create view public.organization_stats as
select o.id, o.name,
       (select count(*) from public.organization_memberships m where m.organization_id = o.id) as members,
       (select count(*) from public.audit_reports r where r.organization_id = o.id) as reports
from public.organizations o;
