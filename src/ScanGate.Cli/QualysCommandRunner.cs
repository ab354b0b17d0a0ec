using System.CommandLine;
using System.Text;
using System.Text.Json;
using ScanGate.Configuration;
using ScanGate.Qualys;
using ScanGate.Scanning;

namespace ScanGate.Cli;

/// <summary>Shared plumbing of <c>test-connection</c> and <c>list</c>: connection settings, the client, errors to exit codes.</summary>
internal static class QualysCommandRunner
{
    public static async Task<int> RunAsync(CliContext context, QualysCliOptions options, ParseResult parseResult, Func<QualysClient, ScanConsole, Task<int>> body)
    {
        var console = new ScanConsole(context, Verbosity.Normal);
        QualysClientScanPort port;
        try
        {
            var flags = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            var layers = options.Layers(parseResult, context, flags);
            var connection = ScanConfiguration.BuildConnection(layers, options.PasswordSource(parseResult), context.In);
            port = ScanServices.CreatePort(context, connection, console, TimeSpan.FromMinutes(10));
        }
        catch (ConfigurationException ex)
        {
            console.Error(ex.Message);
            return ExitCodes.Usage;
        }

        using (port)
        {
            try
            {
                return await body(port.Client, console);
            }
            catch (QualysException ex)
            {
                console.Error(ex.Message);
                return ex.ExitCode;
            }
        }
    }

    /// <summary>Rows as an aligned text table on stdout; server text is cleaned of control characters.</summary>
    public static void WriteTable(TextWriter output, IReadOnlyList<string> headers, IEnumerable<IReadOnlyList<string?>> rows)
    {
        var cells = rows.Select(r => r.Select(c => ScanConsole.Clean(c ?? "-")).ToList()).ToList();
        var widths = headers.Select((h, i) => Math.Max(h.Length, cells.Count == 0 ? 0 : cells.Max(r => r[i].Length))).ToList();
        string Line(IReadOnlyList<string> values) => string.Join("  ", values.Select((v, i) => i == values.Count - 1 ? v : v.PadRight(widths[i]))).TrimEnd();
        output.WriteLine(Line(headers));
        output.WriteLine(Line(widths.Select(w => new string('-', w)).ToList()));
        foreach (var row in cells)
        {
            output.WriteLine(Line(row));
        }

        if (cells.Count == 0)
        {
            output.WriteLine("(none)");
        }
    }

    public static void WriteJson(TextWriter output, IEnumerable<IReadOnlyDictionary<string, object?>> items)
    {
        using var stream = new MemoryStream();
        using (var json = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            JsonSerializer.Serialize(json, items.ToList());
        }

        output.WriteLine(Encoding.UTF8.GetString(stream.ToArray()));
    }
}
