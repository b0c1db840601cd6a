import { describe, expect, it } from 'vitest';
import { newPasswordProblem } from './passwords';

describe('a new password', () => {
  it('follows Password::parse_new', () => {
    expect(newPasswordProblem('elevenchars', 'sam@example.org')).toBe('Use at least 12 characters.');
    expect(newPasswordProblem('twelve chars', 'sam@example.org')).toBe('');
    expect(newPasswordProblem('x'.repeat(64) + 'abcd'.repeat(17), 'sam@example.org')).toBe('Use at most 128 characters.');
    expect(newPasswordProblem('Password1234', 'sam@example.org')).toMatch(/too common/);
    expect(newPasswordProblem('abababababab', 'sam@example.org')).toBe('Use at least 5 different characters.');
    expect(newPasswordProblem('AaAaBbBbCcCcDd', 'sam@example.org')).toBe('Use at least 5 different characters.');
    expect(newPasswordProblem('my SAM@example.org pass', 'Sam@Example.org')).toMatch(/email/);
    expect(newPasswordProblem('samuelsamuel', 'samuelsamuel@example.org')).toMatch(/email/);
    // Containing only the local part is allowed, as on the server.
    expect(newPasswordProblem('sam likes long walks', 'sam@example.org')).toBe('');
  });

  it('counts characters, not UTF-16 units', () => {
    // 11 emoji are 22 UTF-16 units but 11 characters: too short.
    expect(newPasswordProblem('🎭🎟🎫🎪🎬🎭🎟🎫🎪🎬🎭', 'sam@example.org')).toBe('Use at least 12 characters.');
  });
});
