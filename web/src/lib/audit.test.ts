import { describe, expect, it } from 'vitest';
import { AUDIT_KINDS, auditQuery, changedFields, kindLabel, type AuditEntry } from './audit';

describe('audit log', () => {
  it('asks only for the filters that are set', () => {
    expect(auditQuery({ staff: '', kind: '', from: '', to: '' })).toBe('');
    expect(auditQuery({ staff: ' ann@example.org ', kind: 'order_refunded', from: '2026-12-01', to: '' }, 'abc#1')).toBe(
      '?staff=ann%40example.org&kind=order_refunded&from=2026-12-01&cursor=abc%231',
    );
  });

  it('shows what changed, field by field', () => {
    const entry = {
      at: '2026-12-07T10:00:00.000Z',
      staff: 'ann@example.org',
      kind: 'order_refunded',
      target: 'order:1',
      before: { refunded: 0, status: 'paid', number: 'A1', updatedAt: '1' },
      after: { refunded: 5000, status: 'refunded', number: 'A1', reason: 'Ill', updatedAt: '2' },
    } as unknown as AuditEntry;
    expect(changedFields(entry)).toEqual([
      { field: 'refunded', before: 0, after: 5000 },
      { field: 'status', before: 'paid', after: 'refunded' },
      { field: 'reason', before: undefined, after: 'Ill' },
    ]);
    expect(kindLabel('order_refunded')).toBe('Refunded an order');
    expect(new Set(AUDIT_KINDS.map((k) => k.kind)).size).toBe(AUDIT_KINDS.length);
  });
});
