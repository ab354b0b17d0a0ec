using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;
using ScanGate.Cli.Commands;
using ScanGate.Configuration;

namespace ScanGate.Cli;

/// <summary>Builds the <c>scangate</c> command tree. Each command lives in its own file under Commands/.</summary>
public static class ScanGateCli
{
    public const string ExitCodeHelp =
        "Exit codes: 0 pass (or warn), 1 policy fail, 2 usage or configuration error, 3 Qualys API/connection/authentication error, " +
        "4 no judgeable result (scan Error, Canceled, host down), 5 timeout, 70 internal error, 130 interrupted (SIGINT), 143 terminated (SIGTERM).";

    public static RootCommand BuildRootCommand(CliContext context)
    {
        var root = new RootCommand("ScanGate: gate CI builds on Qualys VM host scans.\n" + ExitCodeHelp);
        root.Subcommands.Add(ScanCommand.Create(context));
        root.Subcommands.Add(EvaluateCommand.Create(context));
        root.Subcommands.Add(ReportCommand.Create(context));
        root.Subcommands.Add(DemoCommand.Create(context));
        root.Subcommands.Add(EmulatorCommand.Create(context));
        root.Subcommands.Add(TestConnectionCommand.Create(context));
        root.Subcommands.Add(ListCommand.Create(context));
        root.Subcommands.Add(PipelineCommand.Create(context));
        root.Subcommands.Add(InitCommand.Create(context));
        return root;
    }

    public static async Task<int> RunAsync(string[] args, CliContext context, CancellationToken cancellationToken = default)
    {
        var root = BuildRootCommand(context);
        var parseResult = root.Parse(args);
        if (UsageErrors(parseResult, args) is { Count: > 0 } usageErrors)
        {
            // Every command's parse errors end here: our messages, exit 2, and no page of help burying them.
            var command = CommandPath(parseResult.CommandResult);
            foreach (var error in usageErrors)
            {
                await context.Error.WriteLineAsync($"{command}: {error}").ConfigureAwait(false);
            }

            await context.Error.WriteLineAsync($"Run '{command} --help' for the options.").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        // Commands that run long (scan, emulator) register their own SIGINT/SIGTERM handlers, so a signal cancels the
        // remote scan and exits 130/143; System.CommandLine's handler would take SIGTERM first and exit 130.
        var configuration = new InvocationConfiguration
        {
            Output = context.Out,
            Error = context.Error,
            ProcessTerminationTimeout = null,
            EnableDefaultExceptionHandler = false,
        };
        int exitCode;
        try
        {
            exitCode = await parseResult.InvokeAsync(configuration, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // A fault of ours must not read as a policy verdict (System.CommandLine would exit 1, "policy fail").
            await context.Error.WriteLineAsync(
                $"scangate: internal error ({e.GetType().Name}): {e.Message}\nThis is a bug in ScanGate {ToolInfo.Version}; the result is not a pass. Please report it with this trace:\n{e.StackTrace}").ConfigureAwait(false);
            return ExitCodes.InternalError;
        }

        // System.CommandLine reports parse errors with exit code 1; ours is 2 for every usage error.
        return parseResult.Errors.Count > 0 && exitCode == 1 ? ExitCodes.Usage : exitCode;
    }

    /// <summary>
    /// What is wrong with the command line, one message each; empty when it parsed (or asks for help). A word that
    /// starts with <c>--</c> is never taken as a value (a mistyped flag after <c>--host</c> is reported as the unknown
    /// option it is); an unknown option gets the closest options of the command, the option this command calls it
    /// (<c>scan --format</c>: <c>--report</c>), or, for <c>--password</c>, why there is none. Values are never echoed
    /// (<c>--password=…</c> must not reach a log).
    /// </summary>
    internal static IReadOnlyList<string> UsageErrors(ParseResult parseResult, IReadOnlyList<string> args)
    {
        if (parseResult.Action is CommandLineAction { ClearsParseErrors: true })
        {
            return []; // --help, --version
        }

        // The usual case, kept cheap for start-up: no parse error and no option-like word taken as a value.
        if (parseResult.Errors.Count == 0 && !parseResult.Tokens.Any(t => t.Type == TokenType.Argument && t.Value.Length > 2 && t.Value.StartsWith("--", StringComparison.Ordinal)))
        {
            return [];
        }

        return ExplainUsageErrors(parseResult, args);
    }

    private static List<string> ExplainUsageErrors(ParseResult parseResult, IReadOnlyList<string> args)
    {

        var commandResult = parseResult.CommandResult;
        var options = OptionNames(commandResult);
        var command = commandResult.Command;
        var afterDoubleDash = args.Contains("--", StringComparer.Ordinal) ? args.Skip(args.ToList().IndexOf("--") + 1).ToHashSet(StringComparer.Ordinal) : [];
        var errors = new List<string>();
        var explained = new HashSet<string>(StringComparer.Ordinal);

        // 1. Option-like words that the parser took as a value (of an option, or a command's argument).
        for (SymbolResult? result = commandResult; result is not null; result = result.Parent)
        {
            if (result is not CommandResult level)
            {
                continue;
            }

            foreach (var child in level.Children)
            {
                foreach (var token in child.Tokens)
                {
                    if (!token.Value.StartsWith("--", StringComparison.Ordinal) || token.Value.Length == 2 || afterDoubleDash.Contains(token.Value))
                    {
                        continue;
                    }

                    explained.Add(token.Value);
                    var name = OptionName(token.Value);
                    errors.Add(options.Contains(name) && child is OptionResult owner
                        ? $"{owner.IdentifierToken?.Value ?? owner.Option.Name}: a value is missing ('{name}' is an option, not a value)."
                        : UnknownOption(name, command, options));
                }
            }
        }

        // 2. Words the parser could not place: unknown options, and words after them (their values, never echoed).
        var position = 0;
        foreach (var unmatched in parseResult.UnmatchedTokens)
        {
            var index = IndexOf(args, unmatched, position);
            position = index < 0 ? position : index + 1;
            var previous = index > 0 ? args[index - 1] : null;
            if (unmatched.Length > 1 && unmatched[0] == '-' && !double.TryParse(unmatched, System.Globalization.CultureInfo.InvariantCulture, out _))
            {
                explained.Add(unmatched);
                errors.Add(UnknownOption(OptionName(unmatched), command, options));
            }
            else if (previous is not null && explained.Contains(previous))
            {
                explained.Add(unmatched);
            }
            else if (command.Subcommands.Count > 0 && command.Arguments.Count == 0)
            {
                var closest = ClosestNames.Find(unmatched, command.Subcommands.Select(c => c.Name));
                errors.Add($"unknown command '{unmatched}'" + (closest.Count > 0 ? $"; did you mean {ClosestNames.JoinAlternatives(closest)}?" : $" (commands: {string.Join(", ", command.Subcommands.Select(c => c.Name))})."));
            }
            else
            {
                errors.Add($"unexpected argument '{unmatched}'.");
            }
        }

        // 3. The parser's other errors (a missing value at the end, a value not among the choices, ...), unless they
        // only restate one of ours.
        var unknownCommand = errors.Exists(e => e.StartsWith("unknown command", StringComparison.Ordinal));
        foreach (var error in parseResult.Errors)
        {
            if (!error.Message.StartsWith("Unrecognized command or argument", StringComparison.Ordinal)
                && !(unknownCommand && error.Message.StartsWith("Required command was not provided", StringComparison.Ordinal))
                && !explained.Any(token => error.Message.Contains($"'{token}'", StringComparison.Ordinal)))
            {
                errors.Add(error.Message);
            }
        }

        return [.. errors.Distinct(StringComparer.Ordinal)];
    }

    private static string UnknownOption(string name, Command command, HashSet<string> options)
    {
        if (IsPasswordFlag(name.TrimStart('-')))
        {
            return $"{name}: {ScanConfiguration.NoPasswordFlag}; {ScanConfiguration.PasswordSources}.";
        }

        if (Synonyms.TryGetValue(name, out var synonyms) && synonyms.FirstOrDefault(options.Contains) is { } ours)
        {
            return $"unknown option '{name}': '{command.Name}' calls it {ours}.";
        }

        var closest = ClosestNames.Find(name, options.Where(o => o.StartsWith("--", StringComparison.Ordinal)), ignoredPrefix: "-");
        return closest.Count > 0
            ? $"unknown option '{name}'; did you mean {ClosestNames.JoinAlternatives(closest)}?"
            : $"unknown option '{name}'.";
    }

    // Names people try for the password, typos included; the answer is the same for each.
    private static bool IsPasswordFlag(string name) =>
        name.ToUpperInvariant() is "PASSWD" or "PASS" or "PWD" || ClosestNames.Distance(name.ToUpperInvariant(), "PASSWORD") <= 2;

    // What other tools (or our other commands) call an option: "scan --format" is "--report" there.
    private static readonly Dictionary<string, string[]> Synonyms = new(StringComparer.Ordinal)
    {
        ["--format"] = ["--report"],
        ["-f"] = ["--report", "--format"],
        ["--report"] = ["--format"],
        ["--reports"] = ["--report", "--format"],
        ["--output"] = ["--output-dir", "--out"],
        ["-o"] = ["--output-dir"],
        ["--out"] = ["--output-dir"],
        ["--out-dir"] = ["--output-dir"],
        ["--user"] = ["--username"],
        ["-u"] = ["--username"],
        ["--url"] = ["--api-url"],
        ["--ip"] = ["--host"],
        ["--hosts"] = ["--host"],
    };

    /// <summary>The option part of <c>--name=value</c>: the value is never shown.</summary>
    private static string OptionName(string token)
    {
        var equals = token.IndexOf('=', StringComparison.Ordinal);
        return equals < 0 ? token : token[..equals];
    }

    /// <summary>Names and aliases of the options a command accepts: its own and its ancestors' recursive ones.</summary>
    private static HashSet<string> OptionNames(CommandResult commandResult)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var own = true;
        for (SymbolResult? result = commandResult; result is not null; result = result.Parent)
        {
            if (result is not CommandResult level)
            {
                continue;
            }

            foreach (var option in level.Command.Options.Where(o => own || o.Recursive))
            {
                names.Add(option.Name);
                names.UnionWith(option.Aliases);
            }

            own = false;
        }

        return names;
    }

    private static string CommandPath(CommandResult commandResult)
    {
        var names = new List<string>();
        for (SymbolResult? result = commandResult; result is CommandResult level; result = level.Parent)
        {
            names.Insert(0, level.Parent is null ? "scangate" : level.Command.Name);
        }

        return string.Join(' ', names);
    }

    private static int IndexOf(IReadOnlyList<string> args, string value, int start)
    {
        for (var i = start; i < args.Count; i++)
        {
            if (string.Equals(args[i], value, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
