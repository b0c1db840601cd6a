// The venue's colours as CSS custom properties on <html>. Set through the CSSOM
// (style.setProperty), which a Content-Security-Policy without 'unsafe-inline' allows.
import type { Branding } from './api';
import { isHexColour, readableTextOn } from './format';

export const DEFAULT_BRANDING: Branding = { primaryColour: '#5b2a86', accentColour: '#f2a541', logoUrl: null };

export function applyBranding(branding: Branding, root: HTMLElement = document.documentElement): void {
  const primary = isHexColour(branding.primaryColour) ? branding.primaryColour : DEFAULT_BRANDING.primaryColour;
  const accent = isHexColour(branding.accentColour) ? branding.accentColour : DEFAULT_BRANDING.accentColour;
  root.style.setProperty('--brand-primary', primary);
  root.style.setProperty('--brand-on-primary', readableTextOn(primary));
  root.style.setProperty('--brand-accent', accent);
  root.style.setProperty('--brand-on-accent', readableTextOn(accent));
}
