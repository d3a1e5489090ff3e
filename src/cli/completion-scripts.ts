// The shell completion scripts `phyllo completion SHELL` prints. Each is a thin adapter: on every TAB it
// runs `phyllo __complete words -- WORD...` (the command line up to the cursor) and offers what that
// prints (src/cli/complete.ts): a first line `words`, `files` or `dirs`, then `value<TAB>description`
// lines. So the command table is the only place commands, options and their values are listed, and the
// scripts never go stale. Errors are silent: stderr goes to /dev/null and a failure offers nothing.

export type Shell = 'bash' | 'zsh' | 'fish';

const bash = `# phyllo completion for bash. Install: phyllo completion bash > /etc/bash_completion.d/phyllo
# (or ~/.local/share/bash-completion/completions/phyllo), or: source <(phyllo completion bash)
_phyllo() {
  local cur=\${COMP_WORDS[COMP_CWORD]} out kind line
  local -a lines
  COMPREPLY=()
  out=$("\${COMP_WORDS[0]}" __complete words -- "\${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null) || return 0
  mapfile -t lines <<<"$out"
  kind=\${lines[0]}
  case $kind in
    files) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -f -- "$cur") ;;
    dirs) compopt -o filenames 2>/dev/null; mapfile -t COMPREPLY < <(compgen -d -- "$cur") ;;
    words) for line in "\${lines[@]:1}"; do COMPREPLY+=("\${line%%$'\\t'*}"); done ;;
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
