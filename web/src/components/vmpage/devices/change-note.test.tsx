import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { ChangeNote, DeviceWarnings } from './change-note';

describe('ChangeNote', () => {
  it('says what was done and when it applies, with the guest’s mount command', () => {
    const html = renderToStaticMarkup(
      <ChangeNote
        done={{
          text: 'Shared /srv/code as “code”.',
          change: { applies: 'next-start', detail: 'the VM is shut off: it sees the change when it starts' },
          mount: 'mount -t virtiofs code /mnt',
        }}
      />,
    );
    expect(html).toContain('role="status"');
    expect(html).toContain('Shared /srv/code as “code”.');
    expect(html).toContain('data-applies="next-start"');
    expect(html).toContain('Applies at its next start — the VM is shut off');
    expect(html).toContain('<code class="cmd">mount -t virtiofs code /mnt</code>');
    expect(html).not.toContain('role="alert"');
  });
  it('shows the warnings first, as an alert', () => {
    const html = renderToStaticMarkup(
      <ChangeNote done={{ text: 'Gave it 0b:00.0.', warnings: ['ACS OVERRIDE', 'NO RESET'] }} />,
    );
    expect(html.indexOf('role="alert"')).toBeLessThan(html.indexOf('role="status"'));
    expect(html).toContain('<strong>2 warnings</strong>');
    expect(html).toContain('<li>NO RESET</li>');
  });
  it('shows nothing without a change or warnings', () => {
    expect(renderToStaticMarkup(<ChangeNote done={undefined} />)).toBe('');
    expect(renderToStaticMarkup(<DeviceWarnings warnings={[]} />)).toBe('');
  });
});
