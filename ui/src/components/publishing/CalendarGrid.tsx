import { Anchor, Box, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState, type DragEvent } from 'react';
import type { Post } from '../../backend';
import { dayLabel, monthGrid, sameMonth, weekdayName } from '../../lib/calendar';
import { CalendarChip } from './CalendarChip';

/** A post where the calendar shows it: its day, time and hour in its own zone. */
export type Placed = { post: Post; day: string; time: string; hour: number; zoneNote: string | null };

type Common = {
  anchor: string;
  today: string;
  /** Posts by day, earliest first. */
  placed: Map<string, Placed[]>;
  /** Posts being moved right now (shown faded, not draggable). */
  moving: ReadonlySet<string>;
  onOpen: (post: Post) => void;
  /** A post dropped on a day (month) or on an hour of a day (week). */
  onMove: (post: Post, day: string, hour: number | null) => void;
};

/** Drag and drop of chips between drop zones; only one chip moves at a time. */
function useDrag(onMove: Common['onMove']) {
  const dragged = useRef<Post | null>(null);
  const [over, setOver] = useState<string | null>(null);
  const zone = (key: string, day: string, hour: number | null) => ({
    onDragOver: (e: DragEvent) => {
      if (!dragged.current) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'move';
      if (over !== key) setOver(key);
    },
    onDragLeave: () => setOver((o) => (o === key ? null : o)),
    onDrop: (e: DragEvent) => {
      e.preventDefault();
      const post = dragged.current;
      dragged.current = null;
      setOver(null);
      if (post) onMove(post, day, hour);
    },
  });
  return {
    over,
    zone,
    start: (post: Post) => {
      dragged.current = post;
    },
    end: () => {
      dragged.current = null;
      setOver(null);
    },
  };
}

const MONTH_CHIPS = 4;

export function MonthView({ anchor, today, placed, moving, onOpen, onMove, onMore }: Common & { onMore: (day: string) => void }) {
  const drag = useDrag(onMove);
  const weeks = monthGrid(anchor);
  return (
    <Box data-testid="calendar-month" style={{ display: 'grid', gridTemplateColumns: 'repeat(7, minmax(0, 1fr))', gap: 1 }}>
      {Array.from({ length: 7 }, (_, i) => (
        <Text key={i} size="xs" fw={600} c="dimmed" ta="center" py={4}>
          {weekdayName(i)}
        </Text>
      ))}
      {weeks.flat().map((day) => {
        const items = placed.get(day) ?? [];
        const outside = !sameMonth(day, anchor);
        return (
          <Stack
            key={day}
            gap={2}
            p={4}
            mih={110}
            data-testid="calendar-day"
            data-date={day}
            data-today={day === today || undefined}
            {...drag.zone(day, day, null)}
            style={{
              border: '1px solid var(--mantine-color-default-border)',
              borderRadius: 'var(--mantine-radius-xs)',
              background:
                drag.over === day ? 'var(--mantine-color-blue-light)' : outside ? 'var(--mantine-color-default-hover)' : undefined,
              minWidth: 0,
            }}
          >
            <Text
              size="xs"
              fw={day === today ? 800 : 500}
              c={day === today ? 'blue' : outside ? 'dimmed' : undefined}
              aria-label={day}
            >
              {Number(day.slice(8))}
            </Text>
            {items.slice(0, MONTH_CHIPS).map((p) => (
              <CalendarChip
                key={p.post.id}
                post={p.post}
                time={p.time}
                zoneNote={p.zoneNote}
                moving={moving.has(p.post.id)}
                onOpen={onOpen}
                onDragStart={drag.start}
                onDragEnd={drag.end}
              />
            ))}
            {items.length > MONTH_CHIPS && (
              <Anchor component="button" type="button" size="xs" onClick={() => onMore(day)} ta="left">
                +{items.length - MONTH_CHIPS} more
              </Anchor>
            )}
          </Stack>
        );
      })}
    </Box>
  );
}

const HOURS = Array.from({ length: 24 }, (_, h) => h);
const ROW_HEIGHT = 44;
/** The week opens scrolled to the working day. */
const FIRST_VISIBLE_HOUR = 7;

export function WeekView({ days, today, placed, moving, onOpen, onMove }: Common & { days: string[] }) {
  const drag = useDrag(onMove);
  const scroller = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (scroller.current) scroller.current.scrollTop = FIRST_VISIBLE_HOUR * ROW_HEIGHT;
  }, []);
  return (
    <Box ref={scroller} data-testid="calendar-week" mah="calc(100vh - 260px)" style={{ overflow: 'auto' }}>
      <Box
        style={{
          display: 'grid',
          gridTemplateColumns: '52px repeat(7, minmax(0, 1fr))',
          gridTemplateRows: `auto repeat(24, minmax(${ROW_HEIGHT}px, auto))`,
          gap: 1,
        }}
      >
        <Box style={{ gridColumn: 1, gridRow: 1 }} />
        {HOURS.map((h) => (
          <Text key={h} size="xs" c="dimmed" ta="right" pr={6} style={{ gridColumn: 1, gridRow: h + 2 }}>
            {String(h).padStart(2, '0')}:00
          </Text>
        ))}
        {days.map((day, col) => {
          const items = placed.get(day) ?? [];
          return (
            // The column groups its slots in the DOM; `display: contents` lets them sit in the shared grid rows.
            <div key={day} data-testid="calendar-day" data-date={day} data-today={day === today || undefined} style={{ display: 'contents' }}>
              <Text
                size="xs"
                fw={day === today ? 800 : 600}
                c={day === today ? 'blue' : undefined}
                ta="center"
                py={4}
                style={{ gridColumn: col + 2, gridRow: 1, position: 'sticky', top: 0, background: 'var(--mantine-color-body)', zIndex: 1 }}
              >
                {dayLabel(day)}
              </Text>
              {HOURS.map((h) => {
                const key = `${day}T${h}`;
                return (
                  <Stack
                    key={h}
                    gap={2}
                    p={2}
                    data-testid="calendar-slot"
                    data-date={day}
                    data-hour={h}
                    {...drag.zone(key, day, h)}
                    style={{
                      gridColumn: col + 2,
                      gridRow: h + 2,
                      borderTop: '1px solid var(--mantine-color-default-border)',
                      background: drag.over === key ? 'var(--mantine-color-blue-light)' : undefined,
                      minWidth: 0,
                    }}
                  >
                    {items
                      .filter((p) => p.hour === h)
                      .map((p) => (
                        <CalendarChip
                          key={p.post.id}
                          post={p.post}
                          time={p.time}
                          zoneNote={p.zoneNote}
                          moving={moving.has(p.post.id)}
                          onOpen={onOpen}
                          onDragStart={drag.start}
                          onDragEnd={drag.end}
                        />
                      ))}
                  </Stack>
                );
              })}
            </div>
          );
        })}
      </Box>
    </Box>
  );
}
