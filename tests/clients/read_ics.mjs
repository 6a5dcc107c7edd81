// Reads one iCalendar document from standard input with Mozilla's ical.js (the
// parser Thunderbird uses) and prints what it understood as one JSON object:
// {"calendar": {"name", "x_wr_calname", "version"}, "events": [{"uid", "summary",
// "start", "end", "all_day"}]}. Dates print as ical.js writes them (2012-11-12).
// Bytes that are not UTF-8 are an error (RFC 5545 section 6), not replaced.
import { readFileSync } from 'node:fs';
import ICAL from 'ical.js';

const text = new TextDecoder('utf-8', { fatal: true }).decode(readFileSync(0));
const calendar = new ICAL.Component(ICAL.parse(text));
if (calendar.name !== 'vcalendar') throw new Error(`top-level component is ${calendar.name}`);
const events = calendar.getAllSubcomponents('vevent').map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    start: event.startDate.toString(),
    end: event.endDate.toString(),
    all_day: event.startDate.isDate && event.endDate.isDate,
  };
});
console.log(JSON.stringify({
  calendar: {
    name: calendar.getFirstPropertyValue('name'),
    x_wr_calname: calendar.getFirstPropertyValue('x-wr-calname'),
    version: calendar.getFirstPropertyValue('version'),
  },
  events,
}));
