/**
 * Which frames may use the IPC channels: only the app's own pages, served from app://renderer.
 * Pure, so it is tested without Electron.
 */

/** The origin the renderer is served from. */
export const APP_ORIGIN = 'app://renderer';

/** Whether a sender frame's URL is the app's own renderer (not a navigated-to page, not a data: or file: URL). */
export function isTrustedSenderUrl(url: string | undefined): boolean {
  if (!url) return false;
  try {
    const u = new URL(url);
    return u.protocol === 'app:' && u.host === 'renderer' && u.username === '' && u.password === '';
  } catch {
    return false;
  }
}
