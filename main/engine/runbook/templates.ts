/**
 * The five reference runbooks shipped as templates (runbooks/templates/NNN-name.yaml): listed for
 * the checklist page, found by their three-digit id.
 */
import fs from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { projectRoot } from '../paths.js';
import { readRunbook } from './parse.js';

/** A template as a picker shows it. */
export interface RunbookTemplate {
  /** The three-digit id, e.g. "000". */
  id: string;
  file: string;
  title: string;
  description: string | null;
  reference: string | null;
  steps: number;
}

/** The folder holding the templates. */
export function templatesDir(): string {
  return path.join(projectRoot(), 'runbooks', 'templates');
}

function templateFiles(): string[] {
  return fs.readdirSync(templatesDir()).filter((f) => /^\d{3}-.*\.yaml$/.test(f)).sort();
}

/** Every template, in id order (each parsed: a broken template is an error, not a silent omission). */
export function listTemplates(): RunbookTemplate[] {
  return templateFiles().map((f) => {
    const file = path.join(templatesDir(), f);
    const { runbook } = readRunbook(file);
    return { id: f.slice(0, 3), file, title: runbook.title, description: runbook.description?.trim() ?? null, reference: runbook.reference ?? null, steps: runbook.steps.length };
  });
}

/** The file of template `id` ("000"), or a UserError naming the ones there are. */
export function templateFile(id: string): string {
  const files = templateFiles();
  const f = files.find((x) => x.startsWith(`${id}-`));
  if (!f) throw new UserError(`no runbook template ${id}; templates are ${files.map((x) => x.slice(0, 3)).join(', ')}`, 'usage');
  return path.join(templatesDir(), f);
}

/** The template id when `file` is one of the shipped templates, else null. */
export function templateIdOf(file: string): string | null {
  const rel = path.relative(templatesDir(), path.resolve(file));
  if (rel.startsWith('..') || path.isAbsolute(rel) || rel.includes(path.sep)) return null;
  return /^(\d{3})-/.exec(rel)?.[1] ?? null;
}
