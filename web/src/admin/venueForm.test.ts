import { expect, it } from 'vitest';
import { formFromSettings, settingsUpdate } from './venueForm';
import { VENUE } from '../test/fetch';

it('sends only the fields that changed', () => {
  const form = formFromSettings(VENUE.settings);
  expect(settingsUpdate(VENUE.settings, form)).toEqual({});
  form.name = '  The Grand  ';
  form.holdSeconds = 300;
  form.primaryColour = '#AABBCC';
  expect(settingsUpdate(VENUE.settings, form)).toEqual({ name: 'The Grand', holdSeconds: 300, primaryColour: '#AABBCC' });
});

it('clears optional fields with an empty string', () => {
  const settings = { ...VENUE.settings, emailSender: 'box@venue.org', branding: { ...VENUE.settings.branding, logoUrl: 'https://x.org/l.png' } };
  const form = formFromSettings(settings);
  form.emailSender = '';
  form.logoUrl = ' ';
  expect(settingsUpdate(settings, form)).toEqual({ emailSender: '', logoUrl: '' });
});
