import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { errorMessage, useBackend, type Post, type PostMedia } from '../backend';
import { emptyForm, formOf, mediaInfoOf, postInputOf, readAsBase64, type ComposeForm, type MediaSizes } from '../lib/compose';

function objectUrl(file: File): string | null {
  // Not every environment can show a local file (jsdom cannot); the item then shows an icon.
  return typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null;
}

/**
 * The composer's state: the form, the saved post (once there is one) and its media. A new
 * post is created on the first save; media need a post, so adding one saves a draft first.
 */
export function usePostDraft(clientId: string, initialPostId: string | null, onCreated: (postId: string) => void) {
  const backend = useBackend();
  const [form, setForm] = useState<ComposeForm | null>(initialPostId ? null : emptyForm());
  const [post, setPost] = useState<Post | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [media, setMedia] = useState<PostMedia[]>([]);
  /** Object URLs of files picked in this session, by media id. */
  const [picked, setPicked] = useState<Record<string, string>>({});
  const [sizes, setSizes] = useState<MediaSizes>({});
  const [uploading, setUploading] = useState(0);

  const idRef = useRef(initialPostId);
  const creating = useRef<Promise<Post> | null>(null);
  const created = useRef(onCreated);
  created.current = onCreated;

  // Loaded once: the id a new post gets from its first save must not reload (and reset) the form.
  const [loadId] = useState(initialPostId);
  useEffect(() => {
    if (!loadId) return;
    let current = true;
    backend.getPost(clientId, loadId).then(
      (p) => {
        if (!current) return;
        setPost(p);
        setForm(formOf(p));
        setMedia(p.media);
      },
      (e) => current && setLoadError(errorMessage(e)),
    );
    return () => {
      current = false;
    };
  }, [backend, clientId, loadId]);

  const pickedRef = useRef(picked);
  pickedRef.current = picked;
  useEffect(() => () => Object.values(pickedRef.current).forEach((url) => URL.revokeObjectURL?.(url)), []);

  const input = useMemo(() => postInputOf(form ?? emptyForm(), post?.brandId ?? null), [form, post?.brandId]);
  const mediaInfo = useMemo(() => mediaInfoOf(media, sizes), [media, sizes]);
  const inputRef = useRef(input);
  inputRef.current = input;

  /** Saves what is in the form now; creates the post the first time. */
  const persist = useCallback(async (): Promise<Post> => {
    if (!idRef.current) {
      const sent = inputRef.current;
      creating.current ??= backend.savePost(clientId, null, sent).then(
        (p) => {
          idRef.current = p.id;
          setPost(p);
          created.current(p.id);
          return p;
        },
        (e) => {
          creating.current = null;
          throw e;
        },
      );
      const first = await creating.current;
      if (inputRef.current === sent) return first;
    }
    const saved = await backend.savePost(clientId, idRef.current, inputRef.current);
    setPost(saved);
    return saved;
  }, [backend, clientId]);

  /** The post's id, saving a draft first when there is none yet. */
  const postId = useCallback(async () => idRef.current ?? (await persist()).id, [persist]);

  const addFiles = useCallback(
    async (files: File[]) => {
      const id = await postId();
      setUploading((n) => n + files.length);
      const failures: string[] = [];
      for (const file of files) {
        try {
          const added = await backend.addPostMedia(clientId, id, file.name, await readAsBase64(file), null);
          const url = objectUrl(file);
          if (url) setPicked((p) => ({ ...p, [added.id]: url }));
          setMedia((list) => [...list, added]);
        } catch (e) {
          failures.push(errorMessage(e));
        } finally {
          setUploading((n) => n - 1);
        }
      }
      if (failures.length) throw new Error(failures.join(' '));
    },
    [backend, clientId, postId],
  );

  const addFromLibrary = useCallback(
    async (assetId: string) => {
      const id = await postId();
      const added = await backend.addPostMediaFromLibrary(clientId, id, assetId);
      setMedia((list) => [...list, added]);
    },
    [backend, clientId, postId],
  );

  const removeMedia = useCallback(
    async (item: PostMedia) => {
      if (!idRef.current) return;
      await backend.removePostMedia(clientId, idRef.current, item.id);
      setMedia((list) => list.filter((m) => m.id !== item.id));
      const url = pickedRef.current[item.id];
      if (url) URL.revokeObjectURL?.(url);
    },
    [backend, clientId],
  );

  /** Target states changed elsewhere (the scheduler): take them, keep the form as typed. */
  const reloadStates = useCallback(async () => {
    if (!idRef.current) return;
    try {
      setPost(await backend.getPost(clientId, idRef.current));
    } catch {
      // Deleted meanwhile: the form stays, a later save reports it.
    }
  }, [backend, clientId]);

  const setSize = useCallback(
    (mediaId: string, width: number, height: number) =>
      setSizes((s) => (s[mediaId]?.width === width && s[mediaId]?.height === height ? s : { ...s, [mediaId]: { width, height } })),
    [],
  );

  /** Changes the form (once it is loaded). */
  const update = useCallback((change: (f: ComposeForm) => ComposeForm) => setForm((f) => (f ? change(f) : f)), []);

  return {
    form,
    update,
    post,
    setPost,
    loadError,
    input,
    media,
    mediaInfo,
    picked,
    uploading,
    persist,
    addFiles,
    addFromLibrary,
    removeMedia,
    reloadStates,
    setSize,
  };
}
