-- Phase 2, step 3: move single-tenant data into a default organization, then require it.
insert into public.organizations (id, name, slug, plan)
values ('00000000-0000-0000-0000-000000000001', 'Default Organization', 'default', 'legacy')
on conflict (id) do nothing;

insert into public.organization_memberships (organization_id, user_id, role)
select '00000000-0000-0000-0000-000000000001', u.id, 'owner'
from auth.users u
where not exists (select 1 from public.organization_memberships m where m.user_id = u.id)
on conflict do nothing;

update public.audit_reports set organization_id = '00000000-0000-0000-0000-000000000001' where organization_id is null;
update public.automation_jobs set organization_id = '00000000-0000-0000-0000-000000000001' where organization_id is null;
update public.generated_automations set organization_id = '00000000-0000-0000-0000-000000000001' where organization_id is null;

alter table public.audit_reports alter column organization_id set not null;
alter table public.automation_jobs alter column organization_id set not null;
alter table public.generated_automations alter column organization_id set not null;

create policy "Organization members manage automations" on public.generated_automations
  for all to authenticated
  using (organization_id in (select public.user_organization_ids()))
  with check (organization_id in (select public.user_organization_ids()));
