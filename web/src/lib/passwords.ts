// The rule for a new password, as `Password::parse_new` in shared/domain/src/password.rs checks
// it (staff invitations and password changes, patron registration and resets). The form says
// what is wrong before sending; the server still decides.

export const PASSWORD_MIN_LENGTH = 12;
export const PASSWORD_MAX_LENGTH = 128;

/** The server's list of passwords too common to allow (those that pass the length rule). */
const COMMON = new Set([
  'password1234',
  '123456789012',
  'qwertyuiop12',
  'iloveyou1234',
  'passwordpassword',
  'qwertyqwerty',
  '111111111111',
  'abcdefghijkl',
  'letmeinletmein',
  'administrator',
  'welcome12345',
  'changeme1234',
  'password123!',
  'p@ssw0rd1234',
]);

/** What is wrong with `password` as a new password for `email`; '' when nothing is. */
export function newPasswordProblem(password: string, email: string): string {
  // Characters as the server counts them (Unicode scalar values, not UTF-16 units).
  const chars = [...password].length;
  if (chars < PASSWORD_MIN_LENGTH) return `Use at least ${PASSWORD_MIN_LENGTH} characters.`;
  if (chars > PASSWORD_MAX_LENGTH) return `Use at most ${PASSWORD_MAX_LENGTH} characters.`;
  const lower = password.toLowerCase();
  if (COMMON.has(lower)) return 'This password is too common; choose another.';
  if (new Set(lower).size < 5) return 'Use at least 5 different characters.';
  const address = email.trim().toLowerCase();
  const local = address.split('@')[0] ?? '';
  if (address && (lower.includes(address) || lower === local)) return 'Do not use your email address in the password.';
  return '';
}
