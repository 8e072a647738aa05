// Reads the generated CLI reference back into a model of commands and options, and checks documented invocations
// of `chronos` against it (pure: no process is spawned here).

/** @typedef {'none' | 'required' | 'optional'} OptionArity */
/** @typedef {{ options: Map<string, OptionArity>, subcommands: Set<string>, positionals: number, variadic: boolean }} CommandModel */

/**
 * Parses docs/reference/cli.md (one `## chronos …` section with a `text` fence of help per command) into a model
 * keyed by the command path after `chronos` ('' for the program itself, 'policy compile' for a subcommand).
 * @param {string} markdown
 * @returns {Map<string, CommandModel>}
 */
export function parseCliReference(markdown) {
  /** @type {Map<string, CommandModel>} */
  const model = new Map();
  for (const match of markdown.matchAll(/^## chronos(.*)\n\n```text\n([\s\S]*?)\n```/gm)) {
    model.set((match[1] ?? '').trim(), parseHelp(match[2] ?? ''));
  }
  return model;
}

/**
 * One command's help text → its options (with whether they take a value), subcommands and positional arguments.
 * @param {string} help
 * @returns {CommandModel}
 */
export function parseHelp(help) {
  /** @type {Map<string, OptionArity>} */
  const options = new Map();
  const subcommands = new Set();
  const blocks = help.split(/\n(?=\S)/);
  for (const block of blocks) {
    const [title, ...lines] = block.split('\n');
    if (title === 'Options:') {
      for (const line of lines) {
        const option = /^ {2}(?:(-\w), )?(--?[\w-]+)(?: ([<[])[^>\]]*[>\]])?/.exec(line);
        if (!option) continue;
        const arity = option[3] === '<' ? 'required' : option[3] === '[' ? 'optional' : 'none';
        if (option[1]) options.set(option[1], arity);
        if (option[2]) options.set(option[2], arity);
      }
    } else if (title === 'Commands:') {
      for (const line of lines) {
        const name = /^ {2}([a-z][\w-]*)/.exec(line)?.[1];
        if (name) subcommands.add(name);
      }
    }
  }
  const usage = /^Usage: \S+(?: [a-z][\w-]*)*(.*)$/m.exec(help)?.[1] ?? '';
  const args = [...usage.matchAll(/[<[]([^>\]]+)[>\]]/g)]
    .map((m) => m[1] ?? '')
    .filter((a) => a !== 'options' && a !== 'command');
  return { options, subcommands, positionals: args.length, variadic: args.some((a) => a.endsWith('...')) };
}

/**
 * Checks one documented invocation (the words after `chronos`) against the model: every command, subcommand and
 * flag must exist. Returns what is wrong, empty when the invocation is valid.
 * @param {string[]} words
 * @param {Map<string, CommandModel>} model
 * @returns {string[]}
 */
export function checkInvocation(words, model) {
  const globals = model.get('');
  if (globals === undefined) return ['the CLI reference has no `chronos` section'];
  /** @type {string[]} */
  const problems = [];
  /** @type {string[]} */
  const path = [];
  let command = globals;
  let positionals = 0;
  for (let i = 0; i < words.length; i++) {
    const word = words[i] ?? '';
    if (word === '--') break;
    if (word.startsWith('-') && word.length > 1) {
      const [name = word, inline] = word.split('=', 2);
      const arity = command.options.get(name) ?? globals.options.get(name);
      if (arity === undefined) {
        problems.push(`\`chronos ${path.join(' ')}\` has no option ${name}`.replace('chronos  ', 'chronos '));
      } else if (arity === 'required' && inline === undefined) {
        i++;
      } else if (arity === 'optional' && inline === undefined && !(words[i + 1] ?? '-').startsWith('-')) {
        i++;
      }
      continue;
    }
    if (positionals === 0 && word === 'help' && command.subcommands.size > 0) continue;
    if (positionals === 0 && command.subcommands.has(word)) {
      path.push(word);
      const next = model.get(path.join(' '));
      if (next === undefined) {
        problems.push(`\`chronos ${path.join(' ')}\` is listed but has no help section`);
        return problems;
      }
      command = next;
      continue;
    }
    if (command.subcommands.size > 0 && command.positionals === 0) {
      problems.push(`\`chronos ${[...path, word].join(' ')}\`: no such command`);
      return problems;
    }
    positionals++;
    if (positionals > command.positionals && !command.variadic) {
      problems.push(`\`chronos ${path.join(' ')}\` takes ${command.positionals} argument(s), got "${word}"`);
    }
  }
  return problems;
}
