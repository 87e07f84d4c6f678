/**
 * Passwords in the desktop app: encrypted with Electron's safeStorage (Keychain, DPAPI, libsecret,
 * KWallet). Linux's `basic_text` backend would store them with a hard-coded key, so it is refused
 * and passwords are then kept in memory only ("don't save").
 */
import { safeStorage } from 'electron';
import { EncryptedFileSecretStore, MemorySecretStore, type SecretStore } from './engine/host/secret-store.js';

/** The secret store for this machine. */
export function createElectronSecretStore(dir: string): SecretStore {
  const refuse = (note: string) => new MemorySecretStore({ persistent: false, backend: 'memory', note });
  if (!safeStorage.isEncryptionAvailable()) return refuse('the OS keyring is not available; passwords are kept until the app quits');
  let backend: string = process.platform === 'darwin' ? 'macOS Keychain' : process.platform === 'win32' ? 'Windows DPAPI' : 'OS keyring';
  if (process.platform === 'linux') {
    const selected = safeStorage.getSelectedStorageBackend();
    if (selected === 'basic_text' || selected === 'unknown') {
      return refuse(`no OS keyring found (Electron would use "${selected}", a hard-coded key); passwords are kept until the app quits`);
    }
    backend = selected;
  }
  return new EncryptedFileSecretStore(
    dir,
    { encrypt: (s) => safeStorage.encryptString(s), decrypt: (b) => safeStorage.decryptString(b) },
    { persistent: true, backend, note: null },
  );
}
