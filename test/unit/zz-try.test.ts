import { it } from 'vitest';
import { lintSql } from '../../main/engine/migrations/lint.js';
it('try', async () => {
  const sqls = (process.env.SQLS ?? '').split('\n====\n');
  for (const q of sqls) {
    const f = await lintSql('x.sql', q, { serverVersionNum: process.env.V ? Number(process.env.V) : undefined });
    console.log('### ' + q + '\n' + f.map((x) => `${x.line}-${x.endLine} ${x.severity} ${x.rule} [${x.lock}] ${x.message}\n${x.rewrite ?? '(no rewrite)'}`).join('\n---\n'));
  }
});
