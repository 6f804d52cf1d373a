import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  RENDERED_TITLE_MAX,
  renderOfferText,
  renderTemplate,
  templateIssues,
} from '../../../../shared/domain/targeting/index.js';

describe('renderTemplate', () => {
  it('fills every placeholder, with or without inner spaces', () => {
    expect(
      renderTemplate('Hi {{firstName}}, {{ storeName }} is {{distanceM}} m away. Ask {{  partnerName}}!', {
        firstName: 'Ana',
        storeName: 'Gràcia Market',
        partnerName: 'Café Nou',
        distanceM: 123.6,
      }),
    ).toBe('Hi Ana, Gràcia Market is 124 m away. Ask Café Nou!');
  });

  it('drops a missing first name without leaving a space before the comma', () => {
    expect(renderTemplate('Hi {{firstName}}, 10% off', {})).toBe('Hi, 10% off');
    expect(renderTemplate('Hi {{firstName}}, 10% off', { firstName: null })).toBe('Hi, 10% off');
    expect(renderTemplate('Hi {{firstName}}, 10% off', { firstName: '   ' })).toBe('Hi, 10% off');
  });

  it('tidies the text where a value was left out', () => {
    expect(renderTemplate('Welcome back {{firstName}}!', {})).toBe('Welcome back!');
    expect(renderTemplate('{{firstName}}, your coffee is waiting', {})).toBe('your coffee is waiting');
    expect(renderTemplate('Only {{distanceM}} m to {{storeName}} today', { storeName: 'Sants' })).toBe('Only m to Sants today');
    expect(renderTemplate('Hello {{firstName}} {{partnerName}} friends', {})).toBe('Hello friends');
    expect(renderTemplate('Hi {{firstName}}\n{{firstName}}: see you at {{storeName}}.', {})).toBe('Hi\nsee you at.');
  });

  it('leaves unknown placeholders out the same way', () => {
    expect(renderTemplate('Hi {{nickname}}, welcome to {{storeName}}', { storeName: 'Eixample' })).toBe(
      'Hi, welcome to Eixample',
    );
  });

  it('never prints undefined or null', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'É', ' ', '\t', '-'), maxLength: 20 });
    const vars = fc.record(
      {
        firstName: fc.option(text, { nil: undefined }),
        storeName: fc.option(text, { nil: null }),
        partnerName: fc.option(fc.constantFrom('Café Nou', ''), { nil: undefined }),
        distanceM: fc.option(fc.oneof(fc.double(), fc.integer({ min: 0, max: 5000 })), { nil: null }),
      },
      { requiredKeys: [] },
    );
    const tpl = fc
      .array(
        fc.constantFrom(
          'Hi',
          ' ',
          ',',
          '!',
          '{{firstName}}',
          '{{ storeName }}',
          '{{partnerName}}',
          '{{distanceM}}',
          '{{unknown}}',
          '\n',
        ),
        {
          maxLength: 12,
        },
      )
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(tpl, vars, (t, v) => {
        const out = renderTemplate(t, v);
        expect(out).not.toMatch(/undefined|null|NaN|\{\{|\u0000/);
        // Double spaces appear only where the marketer typed them.
        if (!/ {2}/.test(t)) expect(out).not.toMatch(/ {2}/);
      }),
    );
  });

  it("keeps the marketer's own spacing away from placeholders", () => {
    expect(renderTemplate('Bonjour {{firstName}} ! Offre spéciale : -20 %', { firstName: 'Léa' })).toBe(
      'Bonjour Léa ! Offre spéciale : -20 %',
    );
  });

  it('does not expand placeholders inside substituted values and strips their control characters', () => {
    expect(renderTemplate('Hi {{firstName}}', { firstName: '{{storeName}}' }, 100)).toBe('Hi {{storeName}}');
    expect(renderTemplate('Hi {{firstName}}!', { firstName: 'Ana\n\tMaría' })).toBe('Hi Ana María!');
  });

  it('renders distance rounded and drops negative or non-finite distances', () => {
    expect(renderTemplate('{{distanceM}} m', { distanceM: 0 })).toBe('0 m');
    expect(renderTemplate('Just {{distanceM}} m', { distanceM: -4 })).toBe('Just m');
    expect(renderTemplate('Just {{distanceM}} m', { distanceM: Number.POSITIVE_INFINITY })).toBe('Just m');
  });

  it('caps the output length and marks the cut', () => {
    const out = renderTemplate('{{firstName}} '.repeat(20), { firstName: 'x'.repeat(500) }, 300);
    expect(Array.from(out)).toHaveLength(300);
    expect(out.endsWith('…')).toBe(true);
    const rendered = renderOfferText({ title: 'Hola {{firstName}}', body: 'B' }, { firstName: 'ñ'.repeat(300) });
    expect(Array.from(rendered.title).length).toBeLessThanOrEqual(RENDERED_TITLE_MAX);
    expect(renderTemplate('😀😀😀😀', {}, 3)).toBe('😀😀…');
  });
});

describe('templateIssues', () => {
  it('flags unknown placeholders and unbalanced braces, and accepts the known ones', () => {
    expect(templateIssues('Hi {{firstName}} at {{ storeName }}, {{distanceM}} m, with {{partnerName}}')).toEqual([]);
    expect(templateIssues('Hi {{firstname}}')).toEqual([
      'unknown placeholder {{firstname}}; use one of {{firstName}}, {{storeName}}, {{partnerName}}, {{distanceM}}',
    ]);
    expect(templateIssues('Save {{discount}')).toEqual(['unbalanced "{{" or "}}"; placeholders look like {{firstName}}']);
  });
});
