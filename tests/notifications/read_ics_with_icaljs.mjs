// Read an iCalendar feed from stdin with Mozilla's ical.js (the library Thunderbird's calendar is
// built on) and print what it makes of each event as JSON: the tests compare it with the instants
// a person expects (tests/notifications/test_calendar_readers.py). No network: ical.js is a local
// npm package (package.json), and this reads only stdin.
import ICAL from "ical.js";

const chunks = [];
for await (const chunk of process.stdin) chunks.push(chunk);
const calendar = new ICAL.Component(ICAL.parse(Buffer.concat(chunks).toString("utf8")));

const utc = (time) => time.toJSDate().toISOString();
const events = calendar.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  const start = event.startDate;
  const alarms = vevent.getAllSubcomponents("valarm").map((valarm) => {
    const trigger = valarm.getFirstPropertyValue("trigger");
    if (trigger instanceof ICAL.Time) return { trigger: utc(trigger), exact: utc(trigger) };
    if (start.isDate) return { trigger: trigger.toString(), exact: null, wall: null };
    // A relative trigger, counted both ways an app may: as elapsed seconds from the start's
    // instant, and on the start's own clock (ical.js's Time.addDuration, days as calendar days).
    const exact = new Date((start.toUnixTime() + trigger.toSeconds()) * 1000).toISOString();
    const wall = start.clone();
    wall.addDuration(trigger);
    return { trigger: trigger.toString(), exact, wall: utc(wall) };
  });
  return {
    uid: event.uid,
    sequence: event.sequence,
    all_day: start.isDate,
    start: start.isDate ? start.toString() : utc(start),
    start_zone: start.isDate ? null : start.timezone || start.zone.tzid,
    alarms,
  };
});
const props = (name) => calendar.getAllProperties(name).map((p) => ({
  value: String(p.getFirstValue()),
  value_type: p.type,
}));
process.stdout.write(JSON.stringify({
  events,
  refresh_interval: props("refresh-interval"),
  published_ttl: props("x-published-ttl"),
}));
