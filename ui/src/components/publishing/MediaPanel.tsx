import { ActionIcon, Box, Button, Center, Group, Loader, Stack, Text, Tooltip } from '@mantine/core';
import { IconLibraryPhoto, IconMovie, IconPhoto, IconUpload, IconX } from '@tabler/icons-react';
import { useState } from 'react';
import type { PostMedia } from '../../backend';
import { libraryAssetId } from '../../lib/compose';
import { assetUrl } from '../../lib/assetUrl';
import { formatBytes } from '../../lib/format';

type ThumbProps = {
  clientId: string;
  media: PostMedia;
  /** Object URLs of files picked in this session, by media id. */
  picked: Record<string, string>;
  size: number | string;
  onSize?: (width: number, height: number) => void;
};

/**
 * A library item shows its thumbnail; a file picked now shows itself (object URL); a file
 * stored earlier has no local copy to show, so it is an icon with its name.
 */
export function MediaThumb({ clientId, media, picked, size, onSize }: ThumbProps) {
  const assetId = libraryAssetId(media.source);
  const local = picked[media.id];
  const video = media.mime.startsWith('video/');
  const box = { width: size, height: size, borderRadius: 'var(--mantine-radius-sm)', overflow: 'hidden', background: 'var(--mantine-color-default-hover)' };
  const fill = { width: '100%', height: '100%', objectFit: 'cover', display: 'block' } as const;
  const [broken, setBroken] = useState(false);
  if ((!assetId && !local) || broken)
    return (
      <Center style={box} title={media.name}>
        {video ? <IconMovie size={24} /> : <IconPhoto size={24} />}
      </Center>
    );
  return (
    <Box style={box}>
      {local && video ? (
        <video src={local} muted preload="metadata" style={fill} aria-label={media.name} />
      ) : (
        <img
          src={assetId ? assetUrl(clientId, assetId, true) : local}
          alt={media.alt ?? media.name}
          style={fill}
          onLoad={(e) => !assetId && onSize?.(e.currentTarget.naturalWidth, e.currentTarget.naturalHeight)}
          onError={() => setBroken(true)}
        />
      )}
    </Box>
  );
}

type Props = {
  clientId: string;
  media: PostMedia[];
  picked: Record<string, string>;
  /** Files being copied into the vault. */
  uploading: number;
  /** Why media cannot be added yet (no target chosen), or null. */
  blockedReason: string | null;
  onFiles: (files: File[]) => void;
  onRemove: (media: PostMedia) => void;
  onLibrary: () => void;
  onSize: (mediaId: string, width: number, height: number) => void;
};

export function MediaPanel({ clientId, media, picked, uploading, blockedReason, onFiles, onRemove, onLibrary, onSize }: Props) {
  return (
    <Stack gap="xs">
      <Group gap="xs">
        <Button
          component="label"
          size="xs"
          variant="default"
          leftSection={<IconUpload size={14} />}
          disabled={blockedReason !== null}
          style={{ cursor: blockedReason ? 'not-allowed' : 'pointer' }}
        >
          Add photos or videos
          <input
            type="file"
            accept="image/jpeg,image/png,image/gif,image/webp,video/mp4,video/quicktime"
            multiple
            hidden
            disabled={blockedReason !== null}
            data-testid="compose-media-input"
            onChange={(e) => {
              const files = Array.from(e.currentTarget.files ?? []);
              e.currentTarget.value = '';
              if (files.length) onFiles(files);
            }}
          />
        </Button>
        <Button
          size="xs"
          variant="default"
          leftSection={<IconLibraryPhoto size={14} />}
          onClick={onLibrary}
          disabled={blockedReason !== null}
          data-testid="compose-library-open"
        >
          From the library
        </Button>
        {uploading > 0 && (
          <Group gap={4}>
            <Loader size="xs" />
            <Text size="xs" c="dimmed">
              Adding {uploading} file{uploading === 1 ? '' : 's'}…
            </Text>
          </Group>
        )}
      </Group>
      {blockedReason && (
        <Text size="xs" c="dimmed">
          {blockedReason}
        </Text>
      )}
      {media.length > 0 && (
        <Group gap="xs" data-testid="compose-media">
          {media.map((m) => (
            <Stack key={m.id} gap={2} w={96} data-testid="compose-media-item" data-media-id={m.id} data-source={m.source}>
              <Box pos="relative">
                <MediaThumb clientId={clientId} media={m} picked={picked} size={96} onSize={(w, h) => onSize(m.id, w, h)} />
                <Tooltip label="Remove from the post">
                  <ActionIcon
                    size="sm"
                    color="dark"
                    variant="filled"
                    radius="xl"
                    pos="absolute"
                    top={4}
                    right={4}
                    onClick={() => onRemove(m)}
                    aria-label={`Remove ${m.name}`}
                    data-testid="compose-media-remove"
                  >
                    <IconX size={12} />
                  </ActionIcon>
                </Tooltip>
              </Box>
              <Text size="xs" truncate title={m.name}>
                {m.name}
              </Text>
              <Text size="xs" c="dimmed">
                {formatBytes(m.size)}
              </Text>
            </Stack>
          ))}
        </Group>
      )}
    </Stack>
  );
}
