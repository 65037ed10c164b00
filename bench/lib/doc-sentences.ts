import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { rng } from './dataset';

/**
 * Real English text for the real-text set: sentences from the documentation that installed
 * packages ship: Markdown, reStructuredText, plain-text and HTML documents (gzipped or not) and
 * the doc comments of TypeScript declaration files, under node_modules and /usr/share/doc.
 * Markup, code blocks, tables and link targets are dropped; what is left is split into sentences. Files are read in sorted order and the sentences shuffled with a
 * seed, so the same machine gives the same set on every run; the files present decide how many
 * there are (the report records the count and a digest of the texts).
 */

export interface SentenceSource {
  /** Roots searched (recursively, symlinks followed once). */
  roots: string[];
  /** Sentences kept before any dedupe. */
  found: number;
  files: number;
}

const MIN_CHARS = 30;
const MAX_CHARS = 400;
const MIN_WORDS = 5;

/**
 * Distinct sentences in a seeded order, and how often each occurs in the documents (boilerplate
 * such as licence lines and the READMEs of packages installed twice repeat; the "realdup" set
 * keeps those repeats).
 */
export function docSentences(roots: readonly string[], seed: number): { sentences: string[]; occurrences: Map<string, number>; source: SentenceSource } {
  const files = roots.flatMap((root) => markdownFiles(root));
  const occurrences = new Map<string, number>();
  let found = 0;
  for (const file of files) {
    for (const sentence of sentencesOf(proseOf(file, readText(file)))) {
      found += 1;
      occurrences.set(sentence, (occurrences.get(sentence) ?? 0) + 1);
    }
  }
  const sentences = [...occurrences.keys()];
  const next = rng(seed);
  for (let i = sentences.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [sentences[i], sentences[j]] = [sentences[j]!, sentences[i]!];
  }
  return { sentences, occurrences, source: { roots: [...roots], found, files: files.length } };
}

function readText(file: string): string {
  try {
    const raw = readFileSync(file);
    return (file.endsWith('.gz') ? gunzipSync(raw) : raw).toString('utf8');
  } catch {
    return '';
  }
}

const DOC_FILE = /(\.(md|markdown|rst|txt|html?)(\.gz)?|\.d\.ts|^readme)$/i;

/** Documents under `root` (see DOC_FILE), sorted; each real directory visited once. */
function markdownFiles(root: string): string[] {
  const out: string[] = [];
  const visited = new Set<string>();
  const walk = (dir: string): void => {
    let key: string;
    try {
      const st = statSync(dir);
      key = `${st.dev}:${st.ino}`;
    } catch {
      return;
    }
    if (visited.has(key)) return;
    visited.add(key);
    let entries: string[];
    try {
      entries = readdirSync(dir).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      const path = join(dir, name);
      let st;
      try {
        st = statSync(path);
      } catch {
        continue;
      }
      if (st.isDirectory()) walk(path);
      else if (st.isFile() && DOC_FILE.test(name) && st.size < 4 * 1024 * 1024) out.push(path);
    }
  };
  walk(root);
  return out;
}

/** The prose of one document, Markdown-like: doc comments of declaration files, HTML without tags. */
function proseOf(file: string, text: string): string {
  if (/\.d\.ts$/i.test(file)) {
    const comments = text.match(/\/\*\*[\s\S]*?\*\//g) ?? [];
    return comments
      .map((c) =>
        c
          .slice(3, -2)
          .split('\n')
          .map((line) => line.replace(/^\s*\*\s?/, ''))
          .filter((line) => !/^\s*@/.test(line))
          .join('\n'),
      )
      .join('\n\n');
  }
  if (/\.html?(\.gz)?$/i.test(file)) {
    return text
      .replace(/<(script|style|pre)[\s\S]*?<\/\1>/gi, '\n\n')
      .replace(/<\/?(p|div|h\d|li|br|tr|td|section)[^>]*>/gi, '\n\n')
      .replace(/<[^>]+>/g, ' ')
      .replace(/&nbsp;/g, ' ')
      .replace(/&amp;/g, '&')
      .replace(/&[a-z]+;/g, ' ');
  }
  return text;
}

/** Prose sentences of one Markdown (or plain) text. */
export function sentencesOf(markdown: string): string[] {
  const prose = markdown
    .replace(/```[\s\S]*?```/g, '\n')
    .replace(/~~~[\s\S]*?~~~/g, '\n')
    .replace(/<!--[\s\S]*?-->/g, ' ')
    .split('\n')
    .filter((line) => !/^\s*(\||#|>|    |\t|[-=*_]{3,}\s*$|<)/.test(line))
    .join('\n')
    .replace(/!\[[^\]]*\]\([^)]*\)/g, ' ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, ' ')
    .replace(/`([^`]*)`/g, '$1')
    .replace(/[*_]{1,3}([^*_\n]+)[*_]{1,3}/g, '$1')
    .replace(/^\s*([-*+]|\d+\.)\s+/gm, '')
    .replace(/\n{2,}/g, ' \u2029 ')
    .replace(/\s+/g, ' ');
  const out: string[] = [];
  for (const paragraph of prose.split('\u2029')) {
    for (const raw of paragraph.split(/(?<=[.!?])\s+(?=[A-Z"'(])/)) {
      const s = raw.trim();
      if (s.length < MIN_CHARS || s.length > MAX_CHARS) continue;
      if (s.split(' ').length < MIN_WORDS) continue;
      // Mostly letters: drops URLs, version tables, shell lines and other non-prose leftovers.
      const letters = s.replace(/[^A-Za-z ]/g, '').length;
      if (letters / s.length < 0.8 || /https?:\/\//.test(s)) continue;
      out.push(s);
    }
  }
  return out;
}
