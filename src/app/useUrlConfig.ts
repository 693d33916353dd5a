import { useCallback, useMemo, useState } from 'react';
import { decode, encode, type Problem } from '../core/config/codec';
import type { Config } from '../core/config/params';

function urlFor(config: Config): string {
  const query = encode(config);
  const url = new URL(window.location.href);
  url.search = query ? `?${query}` : '';
  url.hash = '';
  return url.href;
}

/**
 * The configuration lives in the address bar: read once at load, written on
 * every change with replaceState, so a reload or a shared link restores it.
 */
export function useUrlConfig() {
  const [initial] = useState(() => decode(window.location.search));
  const [config, setConfigState] = useState<Config>(initial.config);
  const [problems, setProblems] = useState<Problem[]>(initial.problems);

  const setConfig = useCallback((next: Config) => {
    setConfigState(next);
    window.history.replaceState(window.history.state, '', urlFor(next));
  }, []);

  const dismissProblems = useCallback(() => setProblems([]), []);
  const shareUrl = useMemo(() => urlFor(config), [config]);

  return { config, setConfig, problems, dismissProblems, shareUrl };
}
