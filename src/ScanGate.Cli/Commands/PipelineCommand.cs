using System.CommandLine;
using ScanGate.Pipelines;

namespace ScanGate.Cli.Commands;

/// <summary>
/// <c>scangate pipeline jenkins|github|gitlab|azure</c>: prints a ready pipeline fragment for the same flags as
/// <c>scan</c> (the plugin's "Generate Pipeline Script"). Secrets are never flags here either.
/// </summary>
internal static class PipelineCommand
{
    internal static readonly string[] CiNames = ["jenkins", "github", "gitlab", "azure"];

    public static Command Create(CliContext context)
    {
        var ci = new Argument<string>("ci") { Description = "The CI to write for: jenkins, github, gitlab or azure." };
        ci.AcceptOnlyFromAmong(CiNames);
        var command = new Command(
            "pipeline",
            "Print a ready pipeline fragment (Jenkinsfile, GitHub workflow, .gitlab-ci.yml job or azure-pipelines.yml) running "
            + "`scangate scan` with these flags. Credentials come from the CI's secret store as QUALYS_USERNAME/QUALYS_PASSWORD.");
        command.Arguments.Add(ci);

        var flags = AddScanFlags(command);
        var toolVersion = new Option<string>("--tool-version") { Description = $"ScanGate.Tool version to install (default {ToolInfo.Version})." };
        var toolSource = new Option<string>("--tool-source") { Description = "Extra NuGet source for the tool (private feed)." };
        var credentialsId = new Option<string>("--credentials-id") { Description = "Jenkins credential id of the Qualys API user (default qualys-api)." };
        command.Options.Add(toolVersion);
        command.Options.Add(toolSource);
        command.Options.Add(credentialsId);

        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var arguments = ReadScanFlags(parseResult, flags);
            var config = arguments.Find(a => string.Equals(a.Flag, "--config", StringComparison.Ordinal))?.Value;
            if (config is not null && !File.Exists(Path.Combine(context.WorkingDirectory, config)))
            {
                await context.Error.WriteLineAsync($"scangate pipeline: --config '{config}': file not found.").ConfigureAwait(false);
                return ExitCodes.Usage;
            }

            var request = new PipelineRequest
            {
                Ci = Parse(parseResult.GetValue(ci)!),
                Arguments = arguments,
                ToolVersion = parseResult.GetValue(toolVersion) ?? ToolInfo.Version,
                ToolSource = parseResult.GetValue(toolSource),
                JenkinsCredentialsId = parseResult.GetValue(credentialsId) ?? "qualys-api",
            };
            try
            {
                await context.Out.WriteAsync(PipelineGenerator.Generate(request).AsMemory(), cancellationToken).ConfigureAwait(false);
                return ExitCodes.Pass;
            }
            catch (PipelineException e)
            {
                await context.Error.WriteLineAsync("scangate pipeline: " + e.Message).ConfigureAwait(false);
                return ExitCodes.Usage;
            }
        });
        return command;
    }

    internal static CiSystem Parse(string name) => name.ToLowerInvariant() switch
    {
        "jenkins" => CiSystem.Jenkins,
        "github" => CiSystem.GitHub,
        "gitlab" => CiSystem.GitLab,
        "azure" => CiSystem.Azure,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "unknown CI"),
    };

    /// <summary>Adds one option per <see cref="ScanFlags.All"/> entry, named and typed as in <c>scan</c>.</summary>
    internal static List<(ScanFlag Flag, Option Option)> AddScanFlags(Command command)
    {
        var options = new List<(ScanFlag, Option)>();
        foreach (var flag in ScanFlags.All)
        {
            Option option = flag.Kind switch
            {
                ScanFlagKind.Switch => new Option<bool>(flag.Name) { Description = flag.Description },
                ScanFlagKind.Repeated => new Option<string[]>(flag.Name) { Description = flag.Description, AllowMultipleArgumentsPerToken = true },
                _ => new Option<string>(flag.Name) { Description = flag.Description },
            };
            command.Options.Add(option);
            options.Add((flag, option));
        }

        return options;
    }

    internal static List<ScanArgument> ReadScanFlags(ParseResult parseResult, List<(ScanFlag Flag, Option Option)> options)
    {
        var arguments = new List<ScanArgument>();
        foreach (var (flag, option) in options)
        {
            switch (option)
            {
                case Option<bool> b when parseResult.GetValue(b):
                    arguments.Add(new ScanArgument(flag.Name, null));
                    break;
                case Option<string[]> many:
                    foreach (var value in parseResult.GetValue(many) ?? [])
                    {
                        arguments.Add(new ScanArgument(flag.Name, value));
                    }

                    break;
                case Option<string> one when parseResult.GetValue(one) is { } value:
                    arguments.Add(new ScanArgument(flag.Name, value));
                    break;
            }
        }

        return arguments;
    }
}
