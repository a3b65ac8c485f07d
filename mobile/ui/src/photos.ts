// Photos: taken with the camera plugin where it runs (Android) or chosen with the picker,
// made smaller on the phone before they are queued, shown as thumbnails that can be removed,
// and opened full screen from the phone's store.
import { invoke } from '@tauri-apps/api/core';
import { api } from './api';
import { cameraIcon, h } from './dom';

/** The longest side a queued photo keeps: plenty to see a crack, a fraction of the bytes. */
export const MAX_EDGE = 1600;
const QUALITY = 0.82;

/**
 * The photo made no larger than MAX_EDGE on its longest side, as JPEG. A photo already small
 * enough, or one the webview cannot decode, is kept as it came.
 */
export async function downscale(blob: Blob): Promise<Blob> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(blob);
  } catch {
    return blob;
  }
  const scale = Math.min(1, MAX_EDGE / Math.max(bitmap.width, bitmap.height));
  if (scale === 1) {
    bitmap.close();
    return blob;
  }
  const canvas = document.createElement('canvas');
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext('2d')?.drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  bitmap.close();
  const smaller = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, 'image/jpeg', QUALITY));
  return smaller ?? blob;
}

/** A photo waiting to be saved with a change: where the app keeps it, and a preview. */
interface Picked {
  path: string;
  preview: string;
}

/**
 * The photo part of a form: a big "Take photo" button, thumbnails with a remove button each.
 * `paths()` gives what to attach when the form is saved.
 */
export class PhotoPicker {
  readonly element: HTMLElement;
  private readonly input: HTMLInputElement;
  private readonly list: HTMLElement;
  private readonly status: HTMLElement;
  private picked: Picked[] = [];

  constructor(private readonly camera: boolean, id = 'photo-input') {
    this.input = h('input', { type: 'file', accept: 'image/*', capture: 'environment', multiple: true, id, class: 'visually-hidden', tabindex: '-1', 'aria-hidden': 'true' }) as HTMLInputElement;
    this.input.addEventListener('change', () => void this.addFiles());
    this.list = h('ul', { class: 'thumbs', 'aria-label': 'Photos' });
    this.status = h('p', { class: 'hint', role: 'status', 'aria-live': 'polite' });
    const take = h('button', { type: 'button', class: 'button camera', id: 'take-photo', onclick: () => void this.take() }, cameraIcon(), h('span', {}, 'Take photo'));
    this.element = h('div', { class: 'photos' }, take, this.input, this.list, this.status);
    this.render();
  }

  paths(): string[] {
    return this.picked.map((p) => p.path);
  }

  /** Opens the camera (or the picker) as the form opens: the photo comes first. */
  async take(): Promise<void> {
    if (!this.camera) {
      this.input.click();
      return;
    }
    try {
      const shot = await invoke<{ imageData: string }>('plugin:camera|take_picture');
      const bytes = Uint8Array.from(atob(shot.imageData), (c) => c.charCodeAt(0));
      await this.keep(new Blob([bytes], { type: 'image/jpeg' }));
    } catch (e) {
      // Backing out of the camera is not an error worth a message.
      if (!String(e).includes('canceled')) this.status.textContent = `The camera could not take a photo: ${String(e)}`;
    }
  }

  private async addFiles(): Promise<void> {
    for (const file of Array.from(this.input.files ?? [])) await this.keep(file);
    this.input.value = '';
  }

  private async keep(photo: Blob): Promise<void> {
    this.status.textContent = 'Preparing photo…';
    try {
      const smaller = await downscale(photo);
      const path = await api.stashPhoto(new Uint8Array(await smaller.arrayBuffer()));
      this.picked.push({ path, preview: URL.createObjectURL(smaller) });
      this.status.textContent = '';
    } catch (e) {
      this.status.textContent = `That photo could not be kept: ${String((e as { message?: string }).message ?? e)}`;
    }
    this.render();
  }

  private render(): void {
    this.list.replaceChildren(
      ...this.picked.map((p, i) =>
        h(
          'li',
          {},
          h('img', { src: p.preview, alt: `Photo ${i + 1}`, class: 'thumb' }),
          h('button', {
            type: 'button',
            class: 'remove',
            'aria-label': `Remove photo ${i + 1}`,
            onclick: () => {
              URL.revokeObjectURL(p.preview);
              this.picked.splice(i, 1);
              this.render();
            },
          }, '×'),
        ),
      ),
    );
    this.list.hidden = this.picked.length === 0;
    const text = this.element.querySelector('#take-photo span');
    if (text) text.textContent = this.picked.length ? 'Add another photo' : 'Take photo';
  }
}

/** A record's photos as thumbnails from the phone's store; a tap opens the viewer. */
export function photoStrip(shas: string[]): HTMLElement {
  const list = h('ul', { class: 'thumbs', 'aria-label': 'Photos' });
  shas.forEach((sha, i) => {
    const item = h('li', {});
    const open = h('button', { type: 'button', class: 'thumb-button', 'aria-label': `Open photo ${i + 1} of ${shas.length}`, onclick: () => void viewer(shas, i) });
    item.append(open);
    list.append(item);
    void photoUrl(sha).then((url) => {
      open.append(url ? h('img', { src: url, alt: '', class: 'thumb' }) : h('span', { class: 'thumb missing' }, 'Not on this phone yet'));
    });
  });
  return list;
}

const urls = new Map<string, string | null>();

/** An object URL for a stored photo, or null while the phone does not hold it. */
async function photoUrl(sha: string): Promise<string | null> {
  const known = urls.get(sha);
  if (known) return known;
  try {
    const bytes = await api.photo(sha);
    const url = URL.createObjectURL(new Blob([bytes], { type: 'image/jpeg' }));
    urls.set(sha, url);
    return url;
  } catch {
    return null;
  }
}

/** Full-screen photos, one at a time, with previous, next and close. */
async function viewer(shas: string[], start: number): Promise<void> {
  let at = start;
  const img = h('img', { alt: '', class: 'viewer-image', id: 'viewer-image' }) as HTMLImageElement;
  const caption = h('p', { class: 'viewer-caption', 'aria-live': 'polite' });
  const close = (): void => {
    dialog.remove();
    document.removeEventListener('keydown', onKey);
  };
  const show = async (i: number): Promise<void> => {
    at = (i + shas.length) % shas.length;
    caption.textContent = `Photo ${at + 1} of ${shas.length}`;
    const url = await photoUrl(shas[at]);
    if (url) {
      img.src = url;
      img.alt = `Photo ${at + 1}`;
    } else {
      img.removeAttribute('src');
      caption.textContent = `Photo ${at + 1} of ${shas.length} is not on this phone yet: it arrives with the next sync.`;
    }
  };
  const onKey = (e: KeyboardEvent): void => {
    if (e.key === 'Escape') close();
    if (e.key === 'ArrowRight') void show(at + 1);
    if (e.key === 'ArrowLeft') void show(at - 1);
  };
  const dialog = h(
    'div',
    { class: 'viewer', role: 'dialog', 'aria-modal': 'true', 'aria-label': 'Photo', id: 'viewer' },
    h('button', { type: 'button', class: 'viewer-close', id: 'viewer-close', onclick: close }, 'Close'),
    img,
    caption,
    shas.length > 1
      ? h(
          'div',
          { class: 'viewer-nav' },
          h('button', { type: 'button', class: 'button secondary', onclick: () => void show(at - 1) }, 'Previous'),
          h('button', { type: 'button', class: 'button secondary', onclick: () => void show(at + 1) }, 'Next'),
        )
      : null,
  );
  document.addEventListener('keydown', onKey);
  document.body.append(dialog);
  (dialog.querySelector('.viewer-close') as HTMLElement).focus();
  await show(at);
}
