import { IconBrandFacebook, IconBrandLinkedin, IconBrandX, IconWorld } from '@tabler/icons-react';
import { platformName } from '../../lib/posts';

const ICONS = { x: IconBrandX, linkedin: IconBrandLinkedin, meta: IconBrandFacebook } as const;

/** The network's mark, labelled with its name for screen readers. */
export function PlatformIcon({ platform, size = 16 }: { platform: string; size?: number }) {
  const Icon = ICONS[platform as keyof typeof ICONS] ?? IconWorld;
  return <Icon size={size} stroke={1.7} aria-label={platformName(platform)} role="img" style={{ flexShrink: 0 }} />;
}
