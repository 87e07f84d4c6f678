/** SQL (or any text) with a copy button. */
import { useState } from 'react';

/** A labelled, copyable block of SQL. */
export function CodeBlock({ label, code, testId }: { label: string; code: string; testId?: string }) {
  const [copied, setCopied] = useState<'idle' | 'copied' | 'failed'>('idle');
  const copy = () => {
    navigator.clipboard.writeText(code).then(() => setCopied('copied'), () => setCopied('failed'));
  };
  return (
    <figure className="code-block" data-testid={testId}>
      <figcaption>
        <span>{label}</span>
        <button type="button" className="small" onClick={copy} aria-label={`Copy ${label}`}>
          {copied === 'copied' ? 'Copied' : copied === 'failed' ? 'Copy failed' : 'Copy'}
        </button>
      </figcaption>
      <pre><code>{code}</code></pre>
    </figure>
  );
}
