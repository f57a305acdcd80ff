/** Help text: examples first, then usage, options and exit codes. */
export const HELP = `lumenguard — finds Lumenfall API keys before they leak

Examples
  lumenguard scan                          scan what git would commit in this folder
  lumenguard scan src config/app.json      scan some folders and files (no globbing: paths are literal)
  git show HEAD:app.js | lumenguard scan - --stdin-filename app.js
  lumenguard scan --format json --output lumenguard.json
  lumenguard ci --report sarif=lumenguard.sarif --report github=-   code scanning and PR annotations in one run
  lumenguard baseline                      accept today's findings into .lumenguard-baseline.json
  lumenguard scan --baseline .lumenguard-baseline.json   report only what is new
  lumenguard scan --staged                 what the next commit would record (the pre-commit hook)
  lumenguard scan --history                every blob in git history, with the commit that added each key
  lumenguard scan --history --range origin/main..HEAD
  lumenguard scan --bundles dist           only the build output, as browsers get it (source maps traced)
  lumenguard scan --pack                   exactly the files npm publish would ship from this package
  lumenguard ci                            the working tree plus the pull request's or push's commits
  lumenguard scan --history --verify       which leaked keys still work: live (revoke now), revoked, unknown
  lumenguard scan --history --shard 2/4 --format json --output shard-2.json   one of four CI jobs
  lumenguard merge shard-*.json --format sarif --output lumenguard.sarif      the four as one report
  lumenguard init                          run lumenguard on every commit and push (husky, lefthook or git hooks)

Usage
  lumenguard scan [paths...] [options]      paths default to "."; "-" reads standard input
  lumenguard scan --staged | --history [--range A..B | --since-commit SHA] | --pre-push
  lumenguard scan [path] --staged | --history | --pre-push | ci    a path picks the repository that holds it
  lumenguard scan --pre-receive [--server-config FILE]   in a server's pre-receive hook (push protection)
  lumenguard scan --pack [package-folder]
  lumenguard ci [--range A..B] [options]    working tree + the CI range (GitHub Actions, GitLab CI)
  lumenguard baseline [paths...] [options]  write a baseline of the current findings
  lumenguard merge REPORT.json... [--format F] [--output FILE] [--fail-on S]
                                            JSON reports (the shards of a scan, or separate scans) as one
  lumenguard init [--husky | --lefthook | --git-hooks] [--uninstall] [--dry-run]
                                            add the pre-commit, pre-merge-commit and pre-push hooks, and .env* to .gitignore
  lumenguard init --server [--uninstall] [--dry-run]   in a bare repository: the pre-receive hook
  lumenguard export-rule --format <gitleaks|trufflehog|secretlint|github>
                                            print the key rule for another scanner or GitHub push protection
  lumenguard --help | --version

Options
  -f, --format <format>        report format: text (default), json, sarif, github, gitlab, junit, compact, html
  -o, --output <file>          write the report to a file; a summary still goes to stderr
      --report <format=file>   also write a report in this format to this file ("-": stdout); repeatable
      --fail-on <severity>     lowest severity that fails: critical, high, medium (default), low, info, none
  -c, --config <file>          config file (default: nearest lumenguard.config.json, .lumenguardrc.json
                               or package.json "lumenguard" key, from the scanned folder upward)
      --baseline <file>        do not report findings recorded in this baseline
      --include-placeholders   also list the matches placeholder rules silence (lmnfl_abc123.xyz789, masked keys…) as info
      --max-file-megabytes <n> scan at most n MB (1,000,000 bytes) of each file; the rest is skipped and said
      --stdin-filename <name>  the name standard input is reported (and ignored) under
      --color, --no-color      colour the text report, or not (default: on a terminal only; NO_COLOR=1
                               turns it off, FORCE_COLOR=1 on); a report written to a file never has it
      --bundles <dir>          client output to scan whatever git ignores (repeatable); alone: only it
      --pack                   scan the files npm pack --dry-run lists (the package folder, default ".")
      --fix                    make git ignore unignored env files (append to .gitignore); with --dry-run: show the change
      --staged                 scan the index (what git commit records), never the working tree
      --history                scan every blob reachable from any ref, each once
      --range <A..B>           history (and ci): only the commits in this range
      --all                    history: every commit reachable from any ref (the default without --range)
      --since-commit <sha>     history: only the commits after this one, up to HEAD
      --shard <I/N>            scan shard I of N (1 ≤ I ≤ N ≤ 256): history by blob id, the working tree by
                               path; merge the shards' JSON reports with lumenguard merge
      --pre-push               scan the commits git is pushing (reads the pre-push hook's stdin; asks the remote what it has)
      --fail-on-existing       --staged: keys HEAD already has in the same file fail the commit too
      --pre-receive            scan the commits a push brings to this server (a pre-receive hook)
      --server-config <file>   --pre-receive and init --server: the server's settings (bypass, budget, audit log)
      --verify                 ask the Lumenfall API (GET /openai/v1/models, one request per key) whether
                               each reported key is live, revoked or unknown (keys go to api.lumenfall.ai only)
      --only-live              leave out findings whose key verified revoked, and findings without a key
                               (e.g. an unignored .env file); a key that could not be verified is kept
                               (fails closed; implies --verify)
      --husky, --lefthook, --git-hooks
                               init: use this hook manager (default: the one the repository uses)
      --server                 init: install the pre-receive hook in this bare repository
      --uninstall              init: remove what init added (the .gitignore lines stay)
      --dry-run                init and --fix: print what would change, change nothing
  -h, --help                   this help
      --version                the version

Exit codes
  0  nothing at or above --fail-on      2  usage or configuration error
  1  findings at or above --fail-on     3  the scan could not run (a hook then blocks: fail closed)

Docs: https://docs.lumenfall.ai/authentication#security-best-practices
`;
