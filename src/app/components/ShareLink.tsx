import { useState } from 'react';

export interface ShareLinkProps {
  /** Absolute URL that encodes the current settings. */
  shareUrl: string;
}

type CopyResult = 'copying' | 'copied' | 'failed';

/** How long to wait for the clipboard before telling the user to copy by hand. */
const CLIPBOARD_TIMEOUT_MS = 2000;

function copyText(text: string): Promise<void> {
  if (!navigator.clipboard?.writeText) return Promise.reject(new Error('no clipboard'));
  return Promise.race([
    navigator.clipboard.writeText(text),
    new Promise<void>((_, reject) => setTimeout(() => reject(new Error('timeout')), CLIPBOARD_TIMEOUT_MS)),
  ]);
}

const RESULT_TEXT: Record<CopyResult, string> = {
  copying: '',
  copied: 'Copied',
  failed: 'Copy failed — select the link below',
};

/** "Copy share link" and, once pressed, the link itself in a read-only field. */
export function ShareLink({ shareUrl }: ShareLinkProps) {
  // Which URL the last copy was for: the confirmation goes stale when the settings change.
  const [copy, setCopy] = useState<{ url: string; result: CopyResult } | null>(null);
  const message = copy && copy.url === shareUrl ? RESULT_TEXT[copy.result] : '';

  function handleCopy() {
    const url = shareUrl;
    setCopy({ url, result: 'copying' });
    copyText(url).then(
      () => setCopy((current) => (current?.url === url ? { url, result: 'copied' } : current)),
      () => setCopy((current) => (current?.url === url ? { url, result: 'failed' } : current)),
    );
  }

  return (
    <section className="panel share" aria-labelledby="share-title">
      <h2 id="share-title">Share</h2>
      <p className="panel-help">The link holds every setting above, so anyone can rerun the same experiment.</p>
      <div className="share-row">
        <button type="button" onClick={handleCopy}>Copy share link</button>
        {copy && <span role="status" className="share-result">{message}</span>}
      </div>
      {copy && (
        <div className="field">
          <label htmlFor="share-link">Share link</label>
          <input
            id="share-link"
            type="text"
            readOnly
            value={shareUrl}
            spellCheck={false}
            onFocus={(event) => event.target.select()}
          />
        </div>
      )}
    </section>
  );
}
