using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using ScanGate.Infrastructure;

namespace ScanGate.Reports;

/// <summary>Where and how the webhook is sent.</summary>
public sealed class WebhookOptions
{
    public const string DefaultSecretVariable = "SCANGATE_WEBHOOK_SECRET";
    public const string SignatureHeader = "X-ScanGate-Signature-256";

    public required Uri Url { get; init; }

    /// <summary>
    /// Environment variable holding the HMAC-SHA256 key. When it is set, every delivery carries
    /// <c>X-ScanGate-Signature-256: sha256=&lt;hex HMAC of the body&gt;</c>.
    /// </summary>
    public string SecretVariable { get; init; } = DefaultSecretVariable;

    /// <summary>True when the user named the variable: then a missing secret means "do not send unsigned".</summary>
    public bool SecretRequired { get; init; }

    /// <summary>Per-attempt timeout (default 10 s).</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(10);

    public int MaxAttempts { get; init; } = 4;

    /// <summary>Wait before the 2nd attempt; doubled before each next one (1 s, 2 s, 4 s).</summary>
    public TimeSpan InitialBackoff { get; init; } = TimeSpan.FromSeconds(1);
}

/// <summary>The outcome of a delivery. A failed webhook never changes the verdict: callers only log it.</summary>
public sealed record WebhookResult(bool Delivered, int Attempts, int? StatusCode, string? Error);

/// <summary>
/// Posts the plugin's webhook payload (original-plugin.md §8, same field names) plus a <c>scangate</c> object, built
/// from the result header. Any 2xx is success; 408, 429, 5xx, network errors and timeouts are retried with
/// exponential back-off through <see cref="TimeProvider"/>. The URL is logged without path or query (webhook URLs
/// often embed tokens) and the secret is never logged.
/// </summary>
public sealed partial class WebhookSender
{
    private readonly HttpMessageHandler _handler;
    private readonly TimeProvider _time;
    private readonly IEnvironment _environment;
    private readonly ILogger _logger;

    public WebhookSender(HttpMessageHandler handler, TimeProvider time, IEnvironment environment, ILogger logger)
    {
        _handler = handler ?? throw new ArgumentNullException(nameof(handler));
        _time = time ?? throw new ArgumentNullException(nameof(time));
        _environment = environment ?? throw new ArgumentNullException(nameof(environment));
        _logger = logger ?? throw new ArgumentNullException(nameof(logger));
    }

    /// <summary>Checks a <c>--webhook</c> value: an absolute http(s) URL. Returns an error naming the value, or null.</summary>
    public static string? Validate(string? url, string optionName = "--webhook")
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (!string.Equals(uri.Scheme, Uri.UriSchemeHttps, StringComparison.Ordinal) && !string.Equals(uri.Scheme, Uri.UriSchemeHttp, StringComparison.Ordinal)))
        {
            return $"{optionName}: '{Redact(url)}' is not an absolute http:// or https:// URL.";
        }

        return null;
    }

    /// <summary>Scheme, host and port only: paths and queries of webhook URLs are often secrets.</summary>
    public static string Redact(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) ? uri.GetLeftPart(UriPartial.Authority) + (uri.PathAndQuery.Length > 1 ? "/…" : "/") : "(invalid URL)";

    /// <summary>Reads the header of <paramref name="resultJsonPath"/> and posts the payload.</summary>
    public async Task<WebhookResult> SendAsync(string resultJsonPath, WebhookOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(options);
        ResultHeader header;
        try
        {
            using var reader = await ResultFileReader.OpenAsync(resultJsonPath, cancellationToken).ConfigureAwait(false);
            header = reader.Header;
        }
        catch (ResultFileException e)
        {
            LogNotSent(_logger, "(result)", e.Message);
            return new WebhookResult(false, 0, null, e.Message);
        }

        return await SendAsync(WebhookPayload.Build(header, _environment), options, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Posts <paramref name="body"/> (UTF-8 JSON) with retries.</summary>
    public async Task<WebhookResult> SendAsync(byte[] body, WebhookOptions options, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(options);
        var target = Redact(options.Url.OriginalString);
        if (Validate(options.Url.OriginalString) is { } invalid)
        {
            LogNotSent(_logger, target, invalid);
            return new WebhookResult(false, 0, null, invalid);
        }

        var secret = _environment.GetVariable(options.SecretVariable);
        if (string.IsNullOrEmpty(secret) && options.SecretRequired)
        {
            var message = $"the signing secret variable {options.SecretVariable} is not set; refusing to send the webhook unsigned";
            LogNotSent(_logger, target, message);
            return new WebhookResult(false, 0, null, message);
        }

        var signature = string.IsNullOrEmpty(secret) ? null : Sign(body, secret);
        using var client = new HttpClient(_handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        var backoff = options.InitialBackoff;
        int? lastStatus = null;
        string? lastError = null;
        var attempts = Math.Max(1, options.MaxAttempts);
        for (var attempt = 1; attempt <= attempts; attempt++)
        {
            if (attempt > 1)
            {
                LogRetry(_logger, target, attempt - 1, lastError, backoff.TotalSeconds);
                await Task.Delay(backoff, _time, cancellationToken).ConfigureAwait(false);
                backoff *= 2;
            }

            using var timeout = new CancellationTokenSource(options.Timeout, _time);
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timeout.Token);
            using var request = new HttpRequestMessage(HttpMethod.Post, options.Url) { Content = new ByteArrayContent(body) };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
            request.Headers.UserAgent.ParseAdd($"ScanGate/{ToolInfo.Version}");
            request.Headers.Add("X-ScanGate-Event", "scan.evaluated");
            if (signature is not null)
            {
                request.Headers.Add(WebhookOptions.SignatureHeader, signature);
            }

            try
            {
                using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, linked.Token).ConfigureAwait(false);
                lastStatus = (int)response.StatusCode;
                if (response.IsSuccessStatusCode)
                {
                    LogDelivered(_logger, target, lastStatus.Value, attempt);
                    return new WebhookResult(true, attempt, lastStatus, null);
                }

                lastError = $"HTTP {lastStatus}";
                if (!IsRetryable(response.StatusCode))
                {
                    break;
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                throw;
            }
            catch (OperationCanceledException)
            {
                lastStatus = null;
                lastError = $"no response within {options.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s";
            }
            catch (HttpRequestException e)
            {
                lastStatus = null;
                lastError = e.HttpRequestError == HttpRequestError.Unknown ? "network error" : "network error: " + e.HttpRequestError;
            }

            if (attempt == attempts)
            {
                break;
            }
        }

        LogFailed(_logger, target, attempts, lastError);
        return new WebhookResult(false, attempts, lastStatus, lastError);
    }

    /// <summary><c>sha256=</c> and the lower-case hex HMAC-SHA256 of the exact body bytes.</summary>
    public static string Sign(byte[] body, string secret) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook to {Target} not sent: {Error}")]
    private static partial void LogNotSent(ILogger logger, string target, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook to {Target}: attempt {Attempt} failed ({Error}); retrying in {Delay} s.")]
    private static partial void LogRetry(ILogger logger, string target, int attempt, string? error, double delay);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook delivered to {Target} (HTTP {Status}, attempt {Attempt}).")]
    private static partial void LogDelivered(ILogger logger, string target, int status, int attempt);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook to {Target} failed after {Attempts} attempt(s): {Error}. The verdict is unchanged.")]
    private static partial void LogFailed(ILogger logger, string target, int attempts, string? error);

    private static bool IsRetryable(HttpStatusCode status) =>
        (int)status >= 500 || status is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests;
}

/// <summary>The webhook body: the plugin's fields (original-plugin.md §8) and a <c>scangate</c> object.</summary>
public static class WebhookPayload
{
    private const string Missing = " - ";

    public static byte[] Build(ResultHeader header, IEnvironment environment)
    {
        ArgumentNullException.ThrowIfNull(header);
        ArgumentNullException.ThrowIfNull(environment);
        var build = BuildInfo.From(environment);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("buildNumber", build.Number);
            json.WriteString("jobName", build.Job);
            json.WriteString("jobUrl", build.Url);
            var failed = string.Equals(header.Verdict, "fail", StringComparison.Ordinal);
            json.WriteString("buildStatus", failed ? "Failed" : "Success");
            if (failed)
            {
                json.WriteStartArray("failReason");
                WriteFailReason(json, header);
                json.WriteEndArray();
            }

            json.WriteStartObject("Host Machine");
            var scan = header.Scan;
            json.WriteString("ip", scan?.Target ?? scan?.Ips ?? Missing);
            Str(json, "launch_date", scan?.LaunchDate);
            Str(json, "total_hosts", scan?.TotalHosts);
            Str(json, "type", scan?.Type);
            Str(json, "status", scan?.Status ?? scan?.State);
            Str(json, "reference", scan?.Ref);
            Str(json, "scanner_appliance", scan?.ScannerAppliance);
            Str(json, "duration", scan?.Duration);
            Str(json, "scan_title", scan?.Title);
            Str(json, "ips", scan?.Ips);
            Str(json, "excluded_ips", null);
            Str(json, "option_profile", scan?.OptionProfile);
            Str(json, "network", scan?.Network);
            SeverityMap(json, "Confirmed", header.Counts.ConfirmedAt);
            SeverityMap(json, "Potential", header.Counts.PotentialAt);
            Str(json, "active_hosts", scan?.ActiveHosts);
            json.WriteEndObject();

            json.WriteStartObject("scangate");
            json.WriteNumber("schema_version", header.SchemaVersion);
            json.WriteString("tool_version", header.Tool?.Version);
            json.WriteString("generated_at", header.GeneratedAt);
            json.WriteString("verdict", header.Verdict);
            if (header.ExitCode is { } code)
            {
                json.WriteNumber("exit_code", code);
            }
            else
            {
                json.WriteNull("exit_code");
            }

            json.WriteString("ci", build.Provider);
            json.WriteStartObject("scan");
            json.WriteString("ref", scan?.Ref);
            json.WriteString("id", scan?.Id);
            json.WriteString("title", scan?.Title);
            json.WriteString("target", scan?.Target);
            json.WriteEndObject();
            json.WriteStartObject("criteria");
            foreach (var c in header.Criteria)
            {
                json.WriteStartObject(c.Key);
                json.WritePropertyName("configured");
                WriteRaw(json, c.Configured);
                json.WritePropertyName("found");
                WriteRaw(json, c.Found);
                json.WriteBoolean("passed", c.Passed);
                json.WriteEndObject();
            }

            json.WriteEndObject();
            Strings(json, "failure_reasons", header.FailureReasons);
            Strings(json, "warning_reasons", header.WarningReasons);
            json.WriteStartObject("counts");
            json.WriteNumber("rows", header.Counts.Rows);
            json.WriteNumber("evaluated", header.Counts.Evaluated);
            json.WriteNumber("excluded", header.Counts.Excluded);
            json.WriteNumber("excepted", header.Counts.Excepted);
            json.WriteNumber("information_gathered", header.Counts.InformationGathered);
            json.WriteEndObject();
            json.WriteNumber("expired_exceptions", header.Exceptions.Count(e => string.Equals(e.Status, "expired", StringComparison.Ordinal)));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        return buffer.ToArray();
    }

    private static void WriteFailReason(Utf8JsonWriter json, ResultHeader header)
    {
        json.WriteStartObject();
        foreach (var c in header.Criteria.Where(c => !c.Passed))
        {
            switch (c.Key)
            {
                case "severity" when c.Configured.ValueKind == JsonValueKind.Number:
                    // The plugin reports per-severity thresholds; ours is "severity >= N": each severity >= N counts.
                    json.WriteStartObject("severity");
                    for (var s = 5; s >= c.Configured.GetInt32(); s--)
                    {
                        var found = header.Counts.ConfirmedAt(s) + (header.Policy?.IncludePotential == true ? header.Counts.PotentialAt(s) : 0);
                        if (found > 0)
                        {
                            json.WriteStartObject(s.ToString(CultureInfo.InvariantCulture));
                            json.WriteNumber("configured", 1);
                            json.WriteNumber("found", found);
                            json.WriteEndObject();
                        }
                    }

                    json.WriteEndObject();
                    break;
                case "severity_counts" when c.Configured.ValueKind == JsonValueKind.Object:
                    json.WriteStartObject("severity_counts");
                    foreach (var p in c.Configured.EnumerateObject())
                    {
                        json.WriteStartObject(p.Name);
                        json.WritePropertyName("configured");
                        p.Value.WriteTo(json);
                        json.WritePropertyName("found");
                        if (c.Found.ValueKind == JsonValueKind.Object && c.Found.TryGetProperty(p.Name, out var f))
                        {
                            f.WriteTo(json);
                        }
                        else
                        {
                            json.WriteNumberValue(0);
                        }

                        json.WriteEndObject();
                    }

                    json.WriteEndObject();
                    break;
                case "qids":
                    Pair(json, "qid", c);
                    break;
                case "cves":
                    Pair(json, "cve", c);
                    break;
                case "cvss2" or "cvss3":
                    json.WriteStartObject(string.Equals(c.Key, "cvss3", StringComparison.Ordinal) && header.Criteria.Any(x => string.Equals(x.Key, "cvss2", StringComparison.Ordinal) && !x.Passed) ? "cvss3" : "cvss");
                    json.WriteString("configured", ReportText.Value(c.Configured));
                    json.WritePropertyName("found");
                    WriteRaw(json, c.Found);
                    json.WriteNumber("version", string.Equals(c.Key, "cvss3", StringComparison.Ordinal) ? 3 : 2);
                    json.WriteEndObject();
                    break;
                case "pci":
                    json.WriteStartObject("pci");
                    json.WriteString("configured", "yes");
                    json.WritePropertyName("found");
                    WriteRaw(json, c.Found);
                    json.WriteEndObject();
                    break;
                default:
                    Pair(json, c.Key, c);
                    break;
            }
        }

        json.WriteEndObject();
    }

    private static void Pair(Utf8JsonWriter json, string name, CriterionRecord c)
    {
        json.WriteStartObject(name);
        json.WriteString("configured", ReportText.Value(c.Configured));
        json.WriteString("found", ReportText.Value(c.Found));
        json.WriteEndObject();
    }

    private static void WriteRaw(Utf8JsonWriter json, JsonElement value)
    {
        if (value.ValueKind == JsonValueKind.Undefined)
        {
            json.WriteNullValue();
        }
        else
        {
            value.WriteTo(json);
        }
    }

    private static void Str(Utf8JsonWriter json, string name, string? value) =>
        json.WriteString(name, string.IsNullOrEmpty(value) ? Missing : value);

    private static void Strings(Utf8JsonWriter json, string name, IReadOnlyList<string> values)
    {
        json.WriteStartArray(name);
        foreach (var v in values)
        {
            json.WriteStringValue(v);
        }

        json.WriteEndArray();
    }

    private static void SeverityMap(Utf8JsonWriter json, string name, Func<int, long> count)
    {
        json.WriteStartObject(name);
        for (var s = 1; s <= 5; s++)
        {
            json.WriteNumber(s.ToString(CultureInfo.InvariantCulture), count(s));
        }

        json.WriteEndObject();
    }

    /// <summary>Build number, job name and URL of the CI run, whichever CI this is.</summary>
    private sealed record BuildInfo(string? Provider, string? Number, string? Job, string? Url)
    {
        public static BuildInfo From(IEnvironment env)
        {
            string? V(string name) => env.GetVariable(name) is { Length: > 0 } v ? v : null;
            if (V("JENKINS_URL") is not null || V("JENKINS_HOME") is not null)
            {
                return new("jenkins", V("BUILD_NUMBER"), V("JOB_NAME"), V("JOB_URL") ?? V("BUILD_URL"));
            }

            if (V("GITHUB_ACTIONS") is not null)
            {
                var url = V("GITHUB_SERVER_URL") is { } server && V("GITHUB_REPOSITORY") is { } repo && V("GITHUB_RUN_ID") is { } run
                    ? $"{server}/{repo}/actions/runs/{run}" : null;
                return new("github", V("GITHUB_RUN_NUMBER"), Join(V("GITHUB_REPOSITORY"), V("GITHUB_WORKFLOW")), url);
            }

            if (V("GITLAB_CI") is not null)
            {
                return new("gitlab", V("CI_PIPELINE_IID") ?? V("CI_PIPELINE_ID"), Join(V("CI_PROJECT_PATH"), V("CI_JOB_NAME")), V("CI_JOB_URL") ?? V("CI_PIPELINE_URL"));
            }

            if (string.Equals(V("TF_BUILD"), "True", StringComparison.OrdinalIgnoreCase))
            {
                var url = V("SYSTEM_COLLECTIONURI") is { } collection && V("SYSTEM_TEAMPROJECT") is { } project && V("BUILD_BUILDID") is { } id
                    ? $"{collection.TrimEnd('/')}/{Uri.EscapeDataString(project)}/_build/results?buildId={id}" : null;
                return new("azure", V("BUILD_BUILDNUMBER"), Join(V("SYSTEM_TEAMPROJECT"), V("BUILD_DEFINITIONNAME")), url);
            }

            return new(null, V("BUILD_NUMBER"), V("JOB_NAME"), V("JOB_URL"));
        }

        private static string? Join(string? a, string? b) => a is null ? b : b is null ? a : a + "/" + b;
    }
}
