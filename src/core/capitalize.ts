/** Capitalizing refusals for chat without mangling the names they start with ("console:eve", "cs401", "kube-system", "demo"). */

/**
 * Capitalizes the first letter of `sentence` when its first word is a plain lowercase English word. A first word with
 * anything but letters (an identity, a tenant id, a namespace, `workers=9`) is a name or an option and stays as typed,
 * and so does a word in `names` (what the caller typed, tenant ids, the cluster a button is about).
 */
export function capitalizeSentence(sentence: string, names: Iterable<string> = []): string {
  const first = /^\S*/.exec(sentence)![0].replace(/[,.;!?]+$/, "");
  if (!/^[a-z]+$/.test(first)) return sentence;
  for (const n of names) if (n === first) return sentence;
  return first.charAt(0).toUpperCase() + sentence.slice(1);
}

/** The words of a command's text, as names a refusal may start with (`ns create lab3 team-a` → lab3, team-a, …). */
export function wordsOf(text: string): string[] {
  return text.split(/[\s=]+/).filter(Boolean);
}
