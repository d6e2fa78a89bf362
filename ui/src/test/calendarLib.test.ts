import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  dayIn,
  minuteToTime,
  monthGrid,
  moveToDay,
  moveToHour,
  queryRange,
  shiftAnchor,
  startOfWeek,
  timeIn,
  timeToMinute,
  wallOf,
  weekday,
  weekDays,
} from '../lib/calendar';

describe('calendar days', () => {
  it('counts weekdays from Monday = 0, like queue slots', () => {
    expect(weekday('2025-03-10')).toBe(0); // a Monday
    expect(weekday('2025-03-16')).toBe(6); // a Sunday
    expect(startOfWeek('2025-03-16')).toBe('2025-03-10');
    expect(startOfWeek('2025-03-10')).toBe('2025-03-10');
  });

  it('adds days and months across month, year and leap-day boundaries', () => {
    expect(addDays('2024-02-28', 1)).toBe('2024-02-29');
    expect(addDays('2025-02-28', 1)).toBe('2025-03-01');
    expect(addDays('2025-01-01', -1)).toBe('2024-12-31');
    expect(addMonths('2025-01-31', 1)).toBe('2025-02-01');
    expect(addMonths('2025-01-15', -1)).toBe('2024-12-01');
  });

  it('lays a month out in whole Monday-first weeks', () => {
    const march = monthGrid('2025-03-20');
    // 1 March 2025 is a Saturday, 31 March a Monday: 6 rows from 24 Feb to 6 Apr.
    expect(march).toHaveLength(6);
    expect(march[0][0]).toBe('2025-02-24');
    expect(march[0][5]).toBe('2025-03-01');
    expect(march[5][6]).toBe('2025-04-06');
    expect(march.every((week) => week.length === 7)).toBe(true);
    // February 2021 starts on a Monday and has exactly 4 weeks.
    expect(monthGrid('2021-02-01')).toHaveLength(4);
  });

  it('gives the 7 days of a week and steps views back and forth', () => {
    expect(weekDays('2025-03-12')).toEqual(['2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14', '2025-03-15', '2025-03-16']);
    expect(shiftAnchor('week', '2025-03-12', 1)).toBe('2025-03-19');
    expect(shiftAnchor('month', '2025-03-12', -1)).toBe('2025-02-01');
  });

  it('asks for one extra UTC day on each side, so posts in any zone are found', () => {
    expect(queryRange(['2025-03-10', '2025-03-16'])).toEqual({ from: '2025-03-09T00:00:00.000Z', to: '2025-03-18T00:00:00.000Z' });
  });
});

describe('zones', () => {
  it('reads an instant on the clock of a zone, across a DST change', () => {
    // 03:30 UTC on 10 March is still 9 March in New York (EDT began that morning: UTC-4).
    expect(wallOf('2025-03-10T03:30:00.000Z', 'America/New_York')).toBe('2025-03-09T23:30');
    expect(dayIn('2025-03-10T03:30:00.000Z', 'America/New_York')).toBe('2025-03-09');
    expect(timeIn('2025-03-10T03:30:00.000Z', 'Asia/Tokyo')).toBe('12:30');
    // Before the change New York was UTC-5.
    expect(wallOf('2025-03-08T03:30:00.000Z', 'America/New_York')).toBe('2025-03-07T22:30');
    expect(wallOf('2025-06-01T00:00:00.000Z', 'Europe/Berlin')).toBe('2025-06-01T02:00');
  });

  it('moves a wall time to another day, or another hour keeping the minutes', () => {
    expect(moveToDay('2025-03-09T10:30', '2025-03-12')).toBe('2025-03-12T10:30');
    expect(moveToHour('2025-03-09T10:30', '2025-03-12', 7)).toBe('2025-03-12T07:30');
  });

  it('converts queue-slot minutes to and from HH:MM', () => {
    expect(minuteToTime(9 * 60 + 5)).toBe('09:05');
    expect(timeToMinute('23:59')).toBe(1439);
    expect(timeToMinute('24:00')).toBeNull();
    expect(timeToMinute('9:00')).toBeNull();
  });
});
