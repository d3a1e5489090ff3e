// The shell completion scripts `phyllo completion SHELL` prints. Each is a thin adapter: on every TAB it
// runs `phyllo __complete words -- WORD...` (the command line up to the cursor) and offers what that
// prints (src/cli/complete.ts): a first line `words`, `files` or `dirs`, then `value<TAB>description`
// lines. So the command table is the only place commands, options and their values are listed, and the
// scripts never go stale. Errors are silent: stderr goes to /dev/null and a failure offers nothing.
// test/cli/completion.test.ts runs each in its shell.

export type Shell = 'bash' | 'zsh' | 'fish';

const bash = `# phyllo completion for bash. Install: phyllo completion bash > /etc/bash_completion.d/phyllo
# (or ~/.local/share/bash-completion/completions/phyllo), or: source <(phyllo completion bash)
_phyllo() {
  local -a words lines
  local out line cur
  COMPREPLY=()
  if [[ -n \${COMP_LINE-} ]]; then
    # The line up to the cursor split at blanks: COMP_WORDS is also split at : and = (qemu:///system).
    read -ra words <<<"\${COMP_LINE:0:COMP_POINT}"
    [[ \${COMP_LINE:0:COMP_POINT} == *[[:blank:]] ]] && words+=("")
  else
    words=("\${COMP_WORDS[@]:0:COMP_CWORD+1}")
  fi
  ((\${#words[@]} > 1)) || words+=("")
  cur=\${words[-1]}
  out=$("\${words[0]}" __complete words -- "\${words[@]:1}" 2>/dev/null) || return 0
  mapfile -t lines <<<"$out"
  case \${lines[0]} in
    files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    dirs) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    words) for line in "\${lines[@]:1}"; do [[ -n $line ]] && COMPREPLY+=("\${line%%$'\\t'*}"); done ;;
  esac
  return 0
}
complete -F _phyllo phyllo
`;

const zsh = `#compdef phyllo
# phyllo completion for zsh. Install: phyllo completion zsh > "\${fpath[1]}/_phyllo"
# (then start a new shell), or after compinit: source <(phyllo completion zsh)
_phyllo() {
  local -a lines candidates
  local line
  lines=("\${(@f)$(\${words[1]} __complete words -- "\${(@)words[2,CURRENT]}" 2>/dev/null)}")
  case \${lines[1]} in
    files) _files ;;
    dirs) _files -/ ;;
    words)
      for line in "\${(@)lines[2,-1]}"; do
        [[ -z $line ]] && continue
        if [[ $line == *$'\\t'* ]]; then
          candidates+=("\${\${line%%$'\\t'*}//:/\\\\:}:\${line#*$'\\t'}")
        else
          candidates+=("\${line//:/\\\\:}")
        fi
      done
      (( \${#candidates} )) && _describe -t values phyllo candidates ;;
  esac
  return 0
}
if [[ \${funcstack[1]} == _phyllo ]]; then
  _phyllo "$@"
else
  compdef _phyllo phyllo
fi
`;

const fish = `# phyllo completion for fish. Install: phyllo completion fish > ~/.config/fish/completions/phyllo.fish
function __phyllo_complete
    set -l tokens (commandline -opc)
    set -l current (commandline -ct)
    set -l lines ($tokens[1] __complete words -- $tokens[2..-1] "$current" 2>/dev/null)
    or return 0
    switch "$lines[1]"
        case files
            __fish_complete_path "$current"
        case dirs
            __fish_complete_directories "$current"
        case words
            printf '%s\\n' $lines[2..-1]
    end
end
complete -c phyllo -f -a '(__phyllo_complete)'
`;

export const completionScripts: Record<Shell, string> = { bash, zsh, fish };
