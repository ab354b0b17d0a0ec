using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using ScanGate.Infrastructure;

namespace ScanGate.Reports.Tests;

/// <summary>The webhook against a real loopback receiver (Kestrel on 127.0.0.1:0).</summary>
public sealed class WebhookSenderTests
{
    private static readonly TimeSpan AttemptTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Send_Receiver204_DeliversPluginPayloadOnce()
    {
        await using var receiver = await Receiver.StartAsync(204);
        var env = new DictionaryEnvironment { ["JENKINS_URL"] = "https://jenkins.example/", ["BUILD_NUMBER"] = "42", ["JOB_NAME"] = "folder/app", ["JOB_URL"] = "https://jenkins.example/job/app/" };
        var (sender, logger, _) = Create(env);

        var result = await sender.SendAsync(ResultFixtures.SamplePath, Options(receiver), TestContext.Current.CancellationToken);

        result.ShouldBe(new WebhookResult(true, 1, 204, null));
        var request = receiver.Requests.Single();
        request.ContentType.ShouldBe("application/json; charset=utf-8");
        request.Signature.ShouldBeNull();
        using var doc = JsonDocument.Parse(request.Body);
        var root = doc.RootElement;
        root.GetProperty("buildNumber").GetString().ShouldBe("42");
        root.GetProperty("jobName").GetString().ShouldBe("folder/app");
        root.GetProperty("jobUrl").GetString().ShouldBe("https://jenkins.example/job/app/");
        root.GetProperty("buildStatus").GetString().ShouldBe("Failed");
        var reason = root.GetProperty("failReason")[0];
        reason.GetProperty("severity").GetProperty("5").GetProperty("found").GetInt32().ShouldBe(1);
        reason.GetProperty("qid").GetProperty("found").GetString().ShouldBe("38170");
        reason.GetProperty("cvss").GetProperty("version").GetInt32().ShouldBe(3);
        reason.TryGetProperty("pci", out _).ShouldBeFalse(); // pci passed
        var host = root.GetProperty("Host Machine");
        host.GetProperty("ip").GetString().ShouldBe("10.0.0.5");
        host.GetProperty("reference").GetString().ShouldBe("scan/1764324000.12345");
        host.GetProperty("excluded_ips").GetString().ShouldBe(" - ");
        host.GetProperty("Confirmed").GetProperty("4").GetInt32().ShouldBe(1);
        root.GetProperty("scangate").GetProperty("verdict").GetString().ShouldBe("fail");
        root.GetProperty("scangate").GetProperty("ci").GetString().ShouldBe("jenkins");
        logger.Collector.GetSnapshot().ShouldContain(r => r.Level == LogLevel.Information && r.Message.Contains("HTTP 204", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_Receiver5xxThenOk_RetriesWithBackoff()
    {
        await using var receiver = await Receiver.StartAsync(503, 502, 200);
        var (sender, logger, time) = Create(new DictionaryEnvironment());

        var result = await sender.SendAsync(ResultFixtures.SamplePath, Options(receiver), TestContext.Current.CancellationToken);

        result.Delivered.ShouldBeTrue();
        result.Attempts.ShouldBe(3);
        receiver.Requests.Count.ShouldBe(3);
        receiver.Requests.Select(r => r.Body).Distinct(StringComparer.Ordinal).Count().ShouldBe(1);
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2)]);
        logger.Collector.GetSnapshot().Count(r => r.Level == LogLevel.Warning).ShouldBe(2);
    }

    [Fact]
    public async Task Send_WithSecret_SignsTheExactBody()
    {
        await using var receiver = await Receiver.StartAsync(200);
        var env = new DictionaryEnvironment { ["HOOK_KEY"] = "s3cr3t-key" };
        var (sender, logger, _) = Create(env);

        var options = Options(receiver, secretVariable: "HOOK_KEY");
        (await sender.SendAsync(ResultFixtures.SamplePath, options, TestContext.Current.CancellationToken)).Delivered.ShouldBeTrue();

        var request = receiver.Requests.Single();
        using var hmac = new System.Security.Cryptography.HMACSHA256(System.Text.Encoding.UTF8.GetBytes("s3cr3t-key"));
        var expected = "sha256=" + Convert.ToHexStringLower(hmac.ComputeHash(System.Text.Encoding.UTF8.GetBytes(request.Body)));
        request.Signature.ShouldBe(expected);
        logger.Collector.GetSnapshot().ShouldNotContain(r => r.Message.Contains("s3cr3t", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Send_SecretRequiredButUnset_DoesNotSendUnsigned()
    {
        await using var receiver = await Receiver.StartAsync(200);
        var (sender, _, _) = Create(new DictionaryEnvironment());
        var result = await sender.SendAsync(ResultFixtures.SamplePath, Options(receiver, secretVariable: "MISSING_KEY", required: true), TestContext.Current.CancellationToken);
        result.Delivered.ShouldBeFalse();
        result.Error!.ShouldContain("MISSING_KEY");
        receiver.Requests.ShouldBeEmpty();
    }

    [Fact]
    public async Task Send_Receiver400_FailsWithoutRetryAndHidesUrlPath()
    {
        await using var receiver = await Receiver.StartAsync(400);
        var (sender, logger, time) = Create(new DictionaryEnvironment());

        var result = await sender.SendAsync(ResultFixtures.SamplePath, Options(receiver), TestContext.Current.CancellationToken);

        result.ShouldBe(new WebhookResult(false, 4, 400, "HTTP 400") with { Attempts = result.Attempts });
        receiver.Requests.Count.ShouldBe(1);
        time.Delays.ShouldBeEmpty();
        var errors = logger.Collector.GetSnapshot().Where(r => r.Level == LogLevel.Error).ToList();
        errors.Count.ShouldBe(1);
        errors[0].Message.ShouldContain("The verdict is unchanged");
        errors[0].Message.ShouldNotContain("token-123");
    }

    [Fact]
    public async Task Send_ConnectionRefused_RetriesThenReportsNetworkError()
    {
        int port;
        await using (var closed = await Receiver.StartAsync(200))
        {
            port = closed.Port;
        }

        var (sender, _, time) = Create(new DictionaryEnvironment());
        var options = new WebhookOptions { Url = new Uri($"http://127.0.0.1:{port}/hook"), Timeout = AttemptTimeout };
        var result = await sender.SendAsync(ResultFixtures.SamplePath, options, TestContext.Current.CancellationToken);

        result.Delivered.ShouldBeFalse();
        result.Attempts.ShouldBe(4);
        result.Error!.ShouldStartWith("network error");
        time.Delays.ShouldBe([TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(4)]);
    }

    [Fact]
    public async Task Send_NoResponse_TimesOutEachAttempt()
    {
        var time = new RecordingTimeProvider(_ => true);
        using var handler = new NeverAnswers();
        var sender = new WebhookSender(handler, time, new DictionaryEnvironment(), new FakeLogger());
        var options = new WebhookOptions { Url = new Uri("http://127.0.0.1:9/hook"), MaxAttempts = 2 };

        var result = await sender.SendAsync(ResultFixtures.SamplePath, options, TestContext.Current.CancellationToken);

        result.Delivered.ShouldBeFalse();
        result.Error.ShouldBe("no response within 10 s");
        time.Delays.ShouldBe([TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(10)]);
    }

    [Theory]
    [InlineData("ftp://127.0.0.1/x")]
    [InlineData("not a url")]
    [InlineData("/relative")]
    public void Validate_NotHttpUrl_NamesTheOption(string url)
    {
        WebhookSender.Validate(url)!.ShouldStartWith("--webhook:");
    }

    [Fact]
    public void Redact_UrlWithTokenPath_KeepsOnlySchemeAndHost()
    {
        WebhookSender.Redact("https://hooks.example.com/services/T000/B000/XXXX?token=abc").ShouldBe("https://hooks.example.com/…");
    }

    private static WebhookOptions Options(Receiver receiver, string? secretVariable = null, bool required = false) => new()
    {
        Url = new Uri(receiver.Url + "/hook/token-123"),
        SecretVariable = secretVariable ?? WebhookOptions.DefaultSecretVariable,
        SecretRequired = required,
        Timeout = AttemptTimeout,
    };

    private static (WebhookSender Sender, FakeLogger Logger, RecordingTimeProvider Time) Create(IEnvironment env)
    {
        var logger = new FakeLogger();

        // Back-off timers fire at once (and are recorded); the 10 s attempt timeout stays a real, unreached timer.
        var time = new RecordingTimeProvider(due => due != AttemptTimeout);
        return (new WebhookSender(new SocketsHttpHandler(), time, env, logger), logger, time);
    }

    /// <summary>Records every timer's due time; fires the chosen ones immediately so no test waits.</summary>
    private sealed class RecordingTimeProvider(Func<TimeSpan, bool> fireAtOnce) : TimeProvider
    {
        private readonly ConcurrentQueue<TimeSpan> _delays = new();

        public IReadOnlyList<TimeSpan> Delays => [.. _delays];

        public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
        {
            if (!fireAtOnce(dueTime))
            {
                return base.CreateTimer(callback, state, dueTime, period);
            }

            _delays.Enqueue(dueTime);
            return base.CreateTimer(callback, state, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
        }
    }

    private sealed class NeverAnswers : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new InvalidOperationException("unreachable");
        }
    }

    private sealed record ReceivedRequest(string Body, string? ContentType, string? Signature);

    /// <summary>A loopback HTTP receiver answering with the given status codes in turn (the last one repeats).</summary>
    private sealed class Receiver : IAsyncDisposable
    {
        private readonly WebApplication _app;

        private Receiver(WebApplication app, string url)
        {
            _app = app;
            Url = url;
        }

        public string Url { get; }

        public int Port => new Uri(Url).Port;

        public ConcurrentQueue<ReceivedRequest> RequestQueue { get; } = new();

        public IReadOnlyList<ReceivedRequest> Requests => [.. RequestQueue];

        public static async Task<Receiver> StartAsync(params int[] statuses)
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            Receiver? self = null;
            var calls = 0;
            app.MapPost("/hook/{token}", async (HttpContext context) =>
            {
                using var reader = new StreamReader(context.Request.Body);
                var body = await reader.ReadToEndAsync(context.RequestAborted);
                self!.RequestQueue.Enqueue(new ReceivedRequest(body, context.Request.ContentType, context.Request.Headers[WebhookOptions.SignatureHeader].FirstOrDefault()));
                var index = Interlocked.Increment(ref calls) - 1;
                context.Response.StatusCode = statuses[Math.Min(index, statuses.Length - 1)];
            });
            await app.StartAsync(TestContext.Current.CancellationToken);
            var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
            self = new Receiver(app, address);
            return self;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync(TestContext.Current.CancellationToken);
            await _app.DisposeAsync();
        }
    }
}
