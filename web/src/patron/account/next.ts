// Where to go after logging in or registering: a local path given as ?next=, else the orders.
export function afterSignIn(next: string): string {
  // Only paths on this site: "//evil.example" and "https://…" are not followed.
  return /^\/(?![/\\])/.test(next) ? next : '/account';
}
