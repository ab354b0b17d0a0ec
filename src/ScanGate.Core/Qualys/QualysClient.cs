using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using ScanGate.Infrastructure;

namespace ScanGate.Qualys;

/// <summary>
/// The Qualys VM API as ScanGate uses it: one connection (<see cref="QualysConnection"/>: transport, retries,
/// deadline, error mapping, logging) under thin per-area clients, <see cref="Scans"/>, <see cref="Ec2"/>,
/// <see cref="Catalog"/>, <see cref="KnowledgeBase"/> and <see cref="HostDetections"/>, plus the connection check.
/// All waiting goes through the <see cref="TimeProvider"/>; secrets never reach logs or exception messages
/// (docs/client.md).
/// </summary>
public sealed class QualysClient : IDisposable
{
    private readonly QualysConnection _connection;

    /// <param name="options">Platform, credentials, timeouts and retry budgets.</param>
    /// <param name="handler">The transport: <see cref="QualysHttpHandlerFactory.Create"/> in production, a fake in tests.</param>
    /// <param name="time">All waiting (back-off, rate limits, timeouts) goes through it.</param>
    /// <param name="logger">Retries at warning, calls at debug. Never receives secrets.</param>
    /// <param name="disposeHandler">Whether disposing the client disposes <paramref name="handler"/>.</param>
    /// <exception cref="ArgumentException">An option is unusable; the message names it (for users, no parameter name).</exception>
    public QualysClient(QualysClientOptions options, HttpMessageHandler handler, TimeProvider? time = null, ILogger? logger = null, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(handler);
        QualysClientOptions.Validate(options);
        _connection = new QualysConnection(options, handler, time ?? TimeProvider.System, logger ?? NullLogger.Instance, disposeHandler);
        Scans = new ScansClient(_connection);
        Ec2 = new Ec2Client(_connection);
        Catalog = new CatalogClient(_connection);
        KnowledgeBase = new KnowledgeBaseClient(_connection);
        HostDetections = new HostDetectionsClient(_connection);
    }

    /// <summary>Builds the production transport (proxy, CA bundle, gzip) from the options and environment.</summary>
    public static QualysClient Create(QualysClientOptions options, IEnvironment environment, TimeProvider? time = null, ILogger? logger = null) =>
        new(options, QualysHttpHandlerFactory.Create(options, environment), time, logger);

    public QualysPlatform Platform => _connection.Platform;

    /// <summary>
    /// The caller's deadline: no retry starts whose wait (back-off, 1960, a 1965 <c>ToWait-Sec</c>) would end after
    /// it; the call fails at once with its last error instead. An attempt in flight is cut by the caller's token.
    /// </summary>
    public DateTimeOffset? Deadline
    {
        get => _connection.Deadline;
        set => _connection.Deadline = value;
    }

    /// <summary>HTTP requests sent so far, every attempt counted (the API-call figures).</summary>
    public int RequestCount => _connection.RequestCount;

    /// <summary>Scans: launch, list, result, cancel/pause/resume.</summary>
    public ScansClient Scans { get; }

    /// <summary>EC2: AWS connectors and host assets (QPS).</summary>
    public Ec2Client Ec2 { get; }

    /// <summary>Scanner appliances, option profiles, networks.</summary>
    public CatalogClient Catalog { get; }

    public KnowledgeBaseClient KnowledgeBase { get; }

    public HostDetectionsClient HostDetections { get; }

    public void Dispose() => _connection.Dispose();

    // ---- connection check -----------------------------------------------------------------------------------------

    /// <summary>
    /// Checks credentials and platform the way the plugin did: through the JWT gateway (VM must be in
    /// <c>modulesAllowed</c>) for public pods, through <c>/msp/about.php</c> (WEB-VERSION ≥ 8) for a custom URL.
    /// </summary>
    public Task<QualysConnectionCheck> TestConnectionAsync(CancellationToken cancellationToken) =>
        Platform.IsCustom ? CheckAboutAsync(cancellationToken) : CheckGatewayAsync(cancellationToken);

    /// <summary><c>POST {gateway}/auth</c>: a JWT whose <c>modulesAllowed</c> must contain VM.</summary>
    public Task<QualysConnectionCheck> CheckGatewayAsync(CancellationToken cancellationToken)
    {
        var options = _connection.Options;
        var call = new QualysRequest("test connection (gateway)", HttpMethod.Post, new Uri(options.Platform.GatewayUrl, "auth"), CallKind.Idempotent)
        {
            BasicAuth = false,
            Accept = "application/json",
            Form =
            [
                new("username", options.Username),
                new("password", options.Password),
                new("token", "true"),
            ],
        };
        return _connection.ExecuteAsync(call.Operation, call.Kind, async ct =>
        {
            var response = await _connection.SendOnceAsync(call, ct).ConfigureAwait(false);
            if (response.Status is not (200 or 201))
            {
                if (response.Status == 401)
                {
                    throw new QualysApiException(call.Operation, 401, null, "the gateway rejected the credentials", hint: QualysApiException.HintFor(401, 2000, null));
                }

                _connection.Interpret(call, response);
                throw new QualysApiException(call.Operation, response.Status, null, QualysConnection.Snippet(response.Body));
            }

            var modules = ReadJwtModules(call.Operation, Encoding.UTF8.GetString(response.Body).Trim());
            if (!modules.Contains("VM", StringComparer.OrdinalIgnoreCase))
            {
                throw new QualysApiException(call.Operation, response.Status, null,
                    $"the VM module is not enabled for this user (modulesAllowed: {string.Join(", ", modules)})",
                    hint: "Ask your Qualys administrator to grant the VM module and API access to this user");
            }

            return new QualysConnectionCheck { Method = "gateway", Modules = modules };
        }, cancellationToken);
    }

    internal static IReadOnlyList<string> ReadJwtModules(string operation, string jwt)
    {
        var parts = jwt.Split('.');
        if (parts.Length < 2 || parts[1].Length == 0)
        {
            throw new QualysResponseFormatException(operation, "the gateway did not return a JWT");
        }

        byte[] payload;
        try
        {
            // JWT segments are base64url without padding (the plugin decoded them as plain base64: a latent bug).
            var b64 = parts[1].Replace('-', '+').Replace('_', '/');
            b64 = b64.PadRight(b64.Length + ((4 - (b64.Length % 4)) % 4), '=');
            payload = Convert.FromBase64String(b64);
        }
        catch (FormatException ex)
        {
            throw new QualysResponseFormatException(operation, "the JWT payload is not base64url", ex);
        }

        try
        {
            using var json = JsonDocument.Parse(payload);
            if (!json.RootElement.TryGetProperty("modulesAllowed", out var modules))
            {
                throw new QualysResponseFormatException(operation, "the JWT has no modulesAllowed claim");
            }

            return modules.ValueKind switch
            {
                JsonValueKind.Array => [.. modules.EnumerateArray().Select(m => m.ToString().Trim())],
                JsonValueKind.String => [.. Regex.Split(modules.GetString()!, "[^A-Za-z0-9_]+", RegexOptions.None, TimeSpan.FromSeconds(1)).Where(s => s.Length > 0)],
                _ => throw new QualysResponseFormatException(operation, "the JWT modulesAllowed claim is neither a list nor a string"),
            };
        }
        catch (JsonException ex)
        {
            throw new QualysResponseFormatException(operation, "the JWT payload is not JSON", ex);
        }
    }

    /// <summary><c>GET /msp/about.php</c>: WEB-VERSION must be 8 or more (private cloud check).</summary>
    public Task<QualysConnectionCheck> CheckAboutAsync(CancellationToken cancellationToken)
    {
        var call = new QualysRequest("test connection (about)", HttpMethod.Get, _connection.Api("msp/about.php"), CallKind.Idempotent);
        return _connection.ExecuteAsync(call.Operation, call.Kind, async ct =>
        {
            var doc = _connection.Interpret(call, await _connection.SendOnceAsync(call, ct).ConfigureAwait(false));
            var version = string.Equals(doc.Root?.Name.LocalName, "ABOUT", StringComparison.Ordinal) ? doc.Root.Text("WEB-VERSION") : null;
            if (string.IsNullOrEmpty(version))
            {
                throw new QualysResponseFormatException(call.Operation, "ABOUT/WEB-VERSION is missing");
            }

            var majorText = version.Split('.')[0];
            if (!int.TryParse(majorText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var major) || major < 8)
            {
                throw new QualysApiException(call.Operation, 200, null, $"QWEB version {version} is older than 8",
                    hint: "This Qualys platform is too old for ScanGate, or the URL does not point at a Qualys API server");
            }

            return new QualysConnectionCheck { Method = "about", WebVersion = version };
        }, cancellationToken);
    }

    // ---- kept for `scangate init` (CI-integrations area) until it calls Catalog and Ec2 itself ----------------------

    /// <summary>Same as <see cref="CatalogClient.ListNetworksAsync"/>.</summary>
    public Task<IReadOnlyList<QualysNetwork>> ListNetworksAsync(CancellationToken cancellationToken) => Catalog.ListNetworksAsync(cancellationToken);

    /// <summary>Same as <see cref="CatalogClient.ListAppliancesAsync"/>.</summary>
    public Task<IReadOnlyList<QualysAppliance>> ListAppliancesAsync(string? networkId, CancellationToken cancellationToken) => Catalog.ListAppliancesAsync(networkId, cancellationToken);

    /// <summary>Same as <see cref="CatalogClient.ListOptionProfilesAsync(OptionProfileKind, CancellationToken)"/>.</summary>
    public Task<IReadOnlyList<QualysOptionProfile>> ListOptionProfilesAsync(OptionProfileKind kind, CancellationToken cancellationToken) => Catalog.ListOptionProfilesAsync(kind, cancellationToken);

    /// <summary>Same as <see cref="Ec2Client.SearchConnectorsAsync"/>.</summary>
    public Task<IReadOnlyList<AwsConnector>> SearchAwsConnectorsAsync(string? name, CancellationToken cancellationToken) => Ec2.SearchConnectorsAsync(name, cancellationToken);
}
