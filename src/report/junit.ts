import { backendsNotLoaded, type ConformanceReport } from './results.js';

// XML 1.0 cannot carry these control characters at all, even escaped: they are dropped.
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
const XML_ILLEGAL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g;

const escapeXml = (s: string) =>
  s
    .replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c]!)
    .replace(XML_ILLEGAL, '');

/**
 * JUnit XML: one testsuite per (backend, group), one testcase per check. xfail and skip are <skipped>
 * with their reason; an unexpected pass of an expected failure passes and carries a system-out note.
 */
export function junitXml(report: ConformanceReport): string {
  const suites = new Map<string, ConformanceReport['results']>();
  for (const r of report.results) {
    const key = `${r.backend} / ${r.group}`;
    suites.set(key, [...(suites.get(key) ?? []), r]);
  }
  const lines = ['<?xml version="1.0" encoding="UTF-8"?>'];
  const failures = report.results.filter((r) => r.status === 'fail').length;
  const skipped = report.results.filter((r) => r.status === 'skip' || r.status === 'xfail').length;
  lines.push(
    `<testsuites name="diffspec conformance" tests="${report.results.length}" failures="${failures}" errors="${report.errors.length}" skipped="${skipped}" time="${(report.run.durationMs / 1000).toFixed(3)}">`,
  );
  for (const [name, results] of suites) {
    const time = results.reduce((s, r) => s + r.timeMs, 0) / 1000;
    lines.push(
      `  <testsuite name="${escapeXml(name)}" tests="${results.length}" failures="${results.filter((r) => r.status === 'fail').length}" skipped="${results.filter((r) => r.status === 'skip' || r.status === 'xfail').length}" time="${time.toFixed(3)}">`,
    );
    for (const r of results) {
      lines.push(
        `    <testcase classname="${escapeXml(`${r.backend}.${r.group}`)}" name="${escapeXml(r.check)}" time="${(r.timeMs / 1000).toFixed(3)}">`,
      );
      if (r.status === 'fail')
        lines.push(
          `      <failure message="${escapeXml((r.message ?? '').split('\n')[0])}">${escapeXml(`${r.message ?? ''}\nseed ${r.seed}\nreplay: ${r.replay ?? ''}`)}</failure>`,
        );
      if (r.status === 'skip') lines.push(`      <skipped message="${escapeXml(r.message ?? '')}"/>`);
      if (r.status === 'xfail')
        lines.push(`      <skipped message="${escapeXml(`expected failure: ${r.expectation?.reason ?? ''}`)}"/>`);
      if (r.status === 'xpass')
        lines.push(`      <system-out>${escapeXml(r.message ?? 'expected failure passed')}</system-out>`);
      lines.push('    </testcase>');
    }
    lines.push('  </testsuite>');
  }
  if (report.errors.length > 0) {
    lines.push(
      `  <testsuite name="diffspec run errors" tests="${report.errors.length}" errors="${report.errors.length}">`,
    );
    report.errors.forEach((e, i) =>
      lines.push(
        `    <testcase name="run error ${i + 1}"><error message="${escapeXml(e.split('\n')[0])}">${escapeXml(e)}</error></testcase>`,
      ),
    );
    lines.push('  </testsuite>');
  }
  const notLoaded = backendsNotLoaded(report);
  if (notLoaded.length > 0) {
    const n = notLoaded.length;
    lines.push(`  <testsuite name="diffspec backends that failed to load" tests="${n}" errors="${n}">`);
    for (const b of notLoaded) {
      const reason = b.unavailable ?? '';
      const error = `<error message="${escapeXml(reason.split('\n')[0])}">${escapeXml(reason)}</error>`;
      lines.push(`    <testcase name="${escapeXml(`${b.name} loads`)}">${error}</testcase>`);
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
