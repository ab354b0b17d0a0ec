using System.Net;
using System.Net.Sockets;
using ScanGate.Qualys;

namespace ScanGate.Core.Tests.Qualys;

public sealed class QualysResilienceTests
{
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromMinutes(2);

    private static bool NotATimeout(TimeSpan due) => due != RequestTimeout && due != TimeSpan.FromMinutes(10);

    /// <summary>Moves fake time over every back-off the client starts until <paramref name="task"/> ends.</summary>
    private static async Task<List<TimeSpan>> DriveAsync(ObservedTime time, Task task)
    {
        var waits = new List<TimeSpan>();
        while (!task.IsCompleted)
        {
            TimeSpan due;
            try
            {
                due = await time.NextTimerAsync(NotATimeout, task);
            }
            catch (InvalidOperationException)
            {
                break;
            }

            waits.Add(due);
            time.Advance(due);
        }

        return waits;
    }

    [Fact]
    public async Task ListScans_RateLimited1965WithToWait181_WaitsExactly181SecondsThenSucceeds()
    {
        var time = new ObservedTime();
        var logger = new ListLogger();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list",
            Respond.Error(HttpStatusCode.Conflict, 1965, "This API cannot be run again for another 3 minutes and 1 second.",
                ("X-RateLimit-Limit", "15"), ("X-RateLimit-Window-Sec", "360"), ("X-RateLimit-ToWait-Sec", "181"), ("X-RateLimit-Remaining", "0")),
            Respond.Xml(Respond.ScanList(("scan/1.1", "t", "Running", null))));
        using var client = TestClients.Create(handler, time, logger);

        var task = client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken);
        var due = await time.NextTimerAsync(NotATimeout, task);

        due.ShouldBe(TimeSpan.FromSeconds(181));
        time.Advance(TimeSpan.FromSeconds(180));
        handler.Requests.Count.ShouldBe(1);
        time.Advance(TimeSpan.FromSeconds(1));
        var scans = await task;

        scans.Single().Ref.ShouldBe("scan/1.1");
        handler.Requests.Count.ShouldBe(2);
        (handler.Requests[1].At - handler.Requests[0].At).ShouldBe(TimeSpan.FromSeconds(181));
        logger.Entries.ShouldContain(e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains("1965", StringComparison.Ordinal) && e.Message.Contains("181 s", StringComparison.Ordinal));
    }

    [Fact]
    public async Task ListScans_RateLimitBeyondDeadline_FailsAtOnceNamingTheResetTime()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list",
            Respond.Error(HttpStatusCode.Conflict, 1965, "This API cannot be run again for another 3 minutes and 1 second.", ("X-RateLimit-ToWait-Sec", "181")));
        using var client = TestClients.Create(handler, time);
        client.Deadline = time.GetUtcNow().AddSeconds(60);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken));

        ex.Code.ShouldBe(1965);
        ex.HttpStatus.ShouldBe(409);
        ex.ResetsAt.ShouldBe(time.Start.AddSeconds(181));
        ex.Message.ShouldContain("rate limit");
        ex.Message.ShouldContain("2026-11-28 04:03:01Z");
        handler.Requests.Count.ShouldBe(1);
        time.Elapsed.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public async Task ListScans_RateLimitWithoutHeader_UsesSecondsToWaitFromBody()
    {
        var time = new ObservedTime();
        var body = "<SIMPLE_RETURN><RESPONSE><DATETIME>2017-04-12T14:52:39Z</DATETIME><CODE>1965</CODE><TEXT>This API cannot be run again for another 42 seconds.</TEXT>" +
                   "<ITEM_LIST><ITEM><KEY>SECONDS_TO_WAIT</KEY><VALUE>42</VALUE></ITEM></ITEM_LIST></RESPONSE></SIMPLE_RETURN>";
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list",
            Respond.Xml(HttpStatusCode.Conflict, body),
            Respond.Xml(Respond.ScanList()));
        using var client = TestClients.Create(handler, time);

        var task = client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken);
        var waits = await DriveAsync(time, task);
        (await task).ShouldBeEmpty();

        waits.ShouldBe([TimeSpan.FromSeconds(42)]);
    }

    [Fact]
    public async Task ListScans_ConcurrencyStorm1960_BacksOffWithJitterAndSucceeds()
    {
        var time = new ObservedTime();
        var logger = new ListLogger();
        var storm = Respond.Xml(HttpStatusCode.Conflict,
            "<SIMPLE_RETURN><RESPONSE><DATETIME>2017-04-12T14:52:39Z</DATETIME><CODE>1960</CODE><TEXT>This API cannot be run again until 1 currently running API instance has finished.</TEXT>" +
            "<ITEM_LIST><ITEM><KEY>CALLS_TO_FINISH</KEY><VALUE>2</VALUE></ITEM></ITEM_LIST></RESPONSE></SIMPLE_RETURN>",
            "application/xml", ("X-Concurrency-Limit-Limit", "3"), ("X-Concurrency-Limit-Running", "3"));
        var jitters = new Queue<double>([0.0, 0.9, 0.3, 0.99, 0.5, 0.1]);
        var options = TestClients.Options() is var o ? new QualysClientOptions { Platform = o.Platform, Username = o.Username, Password = o.Password, Jitter = () => jitters.Dequeue() } : null;
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list", storm, storm, storm, storm, storm, Respond.Xml(Respond.ScanList(("scan/1.2", "t", "Queued", null))));
        using var client = TestClients.Create(handler, time, logger, options);

        var task = client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken);
        var waits = await DriveAsync(time, task);
        var scans = await task;

        scans.Single().State.ShouldBe("Queued");
        handler.Requests.Count.ShouldBe(6);
        waits.Count.ShouldBe(5);
        waits.ShouldAllBe(w => w >= TimeSpan.FromSeconds(10) && w <= TimeSpan.FromSeconds(60));
        waits.Distinct().Count().ShouldBeGreaterThan(1, "jitter spreads the back-off");
        logger.Entries.Count(e => e.Message.Contains("1960", StringComparison.Ordinal)).ShouldBe(5);
    }

    [Fact]
    public async Task ListScans_Registration2003With409_FailsAtOnce()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list",
            Respond.Error(HttpStatusCode.Conflict, 2003, "Registration must be completed before API requests will be served for this account"));
        using var client = TestClients.Create(handler, time);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken));

        ex.Code.ShouldBe(2003);
        ex.Attempts.ShouldBe(1);
        ex.Hint!.ShouldContain("registration");
        handler.Requests.Count.ShouldBe(1);
        time.Elapsed.ShouldBe(TimeSpan.Zero);
    }

    [Fact]
    public async Task ListScans_MaintenancePageForever_GivesUpWithClearError()
    {
        var time = new ObservedTime();
        var logger = new ListLogger();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list",
            Respond.Xml(HttpStatusCode.ServiceUnavailable, "<html><head><title>Service Unavailable</title></head><body>Scheduled maintenance</body></html>", "text/html"));
        using var client = TestClients.Create(handler, time, logger);

        var task = client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken);
        var waits = await DriveAsync(time, task);
        var ex = await Should.ThrowAsync<QualysApiException>(() => task);

        ex.HttpStatus.ShouldBe(503);
        ex.Attempts.ShouldBe(6);
        ex.Message.ShouldContain("gave up after 6 attempts");
        ex.Message.ShouldContain("Service Unavailable");
        handler.Requests.Count.ShouldBe(6);
        waits.Count.ShouldBe(5);
        waits.ShouldBe(waits.OrderBy(w => w).ToList(), "exponential back-off grows");
        logger.Entries.Count(e => e.Message.Contains("maintenance", StringComparison.Ordinal)).ShouldBe(5);
    }

    [Theory]
    [InlineData(HttpStatusCode.InternalServerError, 999, "Internal error")]
    [InlineData(HttpStatusCode.ServiceUnavailable, 1999, "We are performing scheduled maintenance on our System.")]
    [InlineData(HttpStatusCode.Accepted, 1981, "Your request is being processed. Please try this same request again later")]
    public async Task ListScans_TransientCode_IsRetriedThenSucceeds(HttpStatusCode status, int code, string text)
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list", Respond.Error(status, code, text), Respond.Xml(Respond.ScanList()));
        using var client = TestClients.Create(handler, time);

        var task = client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken);
        await DriveAsync(time, task);

        (await task).ShouldBeEmpty();
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ListScans_ConnectionReset_IsRetried()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list",
            Respond.Throw(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)))),
            Respond.Xml(Respond.ScanList()));
        using var client = TestClients.Create(handler, time);

        var task = client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken);
        await DriveAsync(time, task);

        (await task).ShouldBeEmpty();
        handler.Requests.Count.ShouldBe(2);
    }

    [Fact]
    public async Task ListScans_ServerHangs_TimesOutOnFakeTimeAndRetries()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list", Respond.Hang(), Respond.Xml(Respond.ScanList()));
        using var client = TestClients.Create(handler, time);

        var task = client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken);
        (await time.NextTimerAsync(d => d == RequestTimeout, task)).ShouldBe(RequestTimeout);
        time.Advance(RequestTimeout);
        await DriveAsync(time, task);

        (await task).ShouldBeEmpty();
        handler.Requests.Count.ShouldBe(2);
        time.Elapsed.ShouldBeGreaterThanOrEqualTo(RequestTimeout);
    }

    [Fact]
    public async Task CancelScan_ServerError_IsNotRetriedBecauseItIsNotIdempotent()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "cancel", Respond.Error(HttpStatusCode.InternalServerError, 999, "Internal error"));
        using var client = TestClients.Create(handler, time);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.CancelAsync("scan/1.2", TestContext.Current.CancellationToken));

        ex.Code.ShouldBe(999);
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task CancelScan_Throttled1960_IsRetriedBecauseQualysDidNotAct()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "cancel",
            Respond.Error(HttpStatusCode.Conflict, 1960, "This API cannot be run again until 1 currently running instance has finished."),
            Respond.Xml("<SIMPLE_RETURN><RESPONSE><DATETIME>2025-01-01T00:00:00Z</DATETIME><TEXT>Scan cancelled</TEXT></RESPONSE></SIMPLE_RETURN>"));
        using var client = TestClients.Create(handler, time);

        var task = client.Scans.CancelAsync("scan/1.2", TestContext.Current.CancellationToken);
        await DriveAsync(time, task);

        (await task).Text.ShouldBe("Scan cancelled");
        handler.Requests.Count.ShouldBe(2);
    }

    private static ScanLaunchRequest Launch => new() { Title = "app_jenkins_build_42_2026-11-28-04-00-00", OptionProfile = "Initial Options", ScannerName = "External", Ip = "10.0.0.5" };

    [Fact]
    public async Task LaunchScan_ResponseLostAfterScanCreated_FindsItByTitleAndDoesNotLaunchAgain()
    {
        var time = new ObservedTime();
        var logger = new ListLogger();
        var created = false;
        var handler = new FakeQualysHandler(time)
            .On("/api/2.0/fo/scan/", "launch", _ =>
            {
                created = true; // Qualys made the scan, then the connection died before the answer arrived.
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            })
            .On("/fo/scan/", "list", r => Respond.Xml(created
                ? Respond.ScanList(("scan/1764302400.00001", "older scan", "Finished", null), ("scan/1764302401.00002", Launch.Title, "Queued", null))
                : Respond.ScanList())(r));
        using var client = TestClients.Create(handler, time, logger);

        var task = client.Scans.LaunchAsync(Launch, TestContext.Current.CancellationToken);
        await DriveAsync(time, task);
        var result = await task;

        result.ScanRef.ShouldBe("scan/1764302401.00002");
        result.RecoveredByTitle.ShouldBeTrue();
        handler.RequestsTo("/fo/scan/", "launch").Count.ShouldBe(1);
        var lookup = handler.RequestsTo("/fo/scan/", "list").Single();
        lookup.Query("launched_after_datetime").ShouldBe("2026-11-28T03:50:00Z");
        logger.All.ShouldContain("looking for scan titled");
    }

    [Fact]
    public async Task LaunchScan_ServerErrorAndNoScanInList_RelaunchesOnce()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time)
            .On("/api/2.0/fo/scan/", "launch", Respond.Xml(HttpStatusCode.BadGateway, "<html><title>502 Bad Gateway</title></html>", "text/html"), Respond.Xml(Respond.LaunchOk))
            .On("/fo/scan/", "list", Respond.Xml(Respond.ScanList()));
        using var client = TestClients.Create(handler, time);

        var task = client.Scans.LaunchAsync(Launch, TestContext.Current.CancellationToken);
        await DriveAsync(time, task);
        var result = await task;

        result.ScanRef.ShouldBe("scan/1358285558.36992");
        result.ScanId.ShouldBe(136992);
        result.RecoveredByTitle.ShouldBeFalse();
        handler.RequestsTo("/fo/scan/", "launch").Count.ShouldBe(2);
        handler.RequestsTo("/fo/scan/", "list").Count.ShouldBe(1);
    }

    [Fact]
    public async Task LaunchScan_ConnectionRefusedBeforeSending_RetriesWithoutLookup()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time)
            .On("/api/2.0/fo/scan/", "launch",
                Respond.Throw(new HttpRequestException(HttpRequestError.ConnectionError, "Connection refused (qualysapi.qualys.com:443)", new SocketException((int)SocketError.ConnectionRefused))),
                Respond.Xml(Respond.LaunchOk));
        using var client = TestClients.Create(handler, time);

        var task = client.Scans.LaunchAsync(Launch, TestContext.Current.CancellationToken);
        await DriveAsync(time, task);

        (await task).ScanRef.ShouldBe("scan/1358285558.36992");
        handler.RequestsTo("/fo/scan/", "launch").Count.ShouldBe(2);
        handler.RequestsTo("/fo/scan/", "list").ShouldBeEmpty();
    }

    [Fact]
    public async Task LaunchScan_ResponseLostAndListUnavailable_FailsWithoutSecondLaunch()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time)
            .On("/api/2.0/fo/scan/", "launch", Respond.Throw(new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.")))
            .On("/fo/scan/", "list", Respond.Error(HttpStatusCode.Forbidden, 2012, "User license is not authorized to run this API"));
        using var client = TestClients.Create(handler, time);

        var task = client.Scans.LaunchAsync(Launch, TestContext.Current.CancellationToken);
        await DriveAsync(time, task);
        var ex = await Should.ThrowAsync<QualysApiException>(() => task);

        ex.Message.ShouldContain("Not relaunching");
        ex.Message.ShouldContain(Launch.Title);
        handler.RequestsTo("/fo/scan/", "launch").Count.ShouldBe(1);
    }

    [Fact]
    public async Task LaunchScan_IpNotApproved999_FailsAtOnceWithHint()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time)
            .On("/api/2.0/fo/scan/", "launch", Respond.Error(HttpStatusCode.InternalServerError, 999, "One or more IPs are not approved for this account"));
        using var client = TestClients.Create(handler, time);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.LaunchAsync(Launch, TestContext.Current.CancellationToken));

        ex.Code.ShouldBe(999);
        ex.Hint!.ShouldContain("not approved");
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task LaunchScan_EveryAttemptLost_LastLookupStillFindsTheScan()
    {
        var time = new ObservedTime();
        var launches = 0;
        var handler = new FakeQualysHandler(time)
            .On("/api/2.0/fo/scan/", "launch", _ =>
            {
                launches++;
                throw new HttpRequestException(HttpRequestError.ResponseEnded, "The response ended prematurely.");
            })
            // The scan only shows up in the list after the last attempt (Qualys lagging); it must still be found, not abandoned.
            .On("/fo/scan/", "list", r => Respond.Xml(launches >= 3
                ? Respond.ScanList(("scan/1764302401.00009", Launch.Title, "Queued", null)) : Respond.ScanList())(r));
        var o = TestClients.Options();
        using var client = TestClients.Create(handler, time, options: new QualysClientOptions { Platform = o.Platform, Username = o.Username, Password = o.Password, Jitter = () => 0.5, MaxTransientRetries = 2 });

        var task = client.Scans.LaunchAsync(Launch, TestContext.Current.CancellationToken);
        await DriveAsync(time, task);
        var result = await task;

        result.ScanRef.ShouldBe("scan/1764302401.00009");
        result.RecoveredByTitle.ShouldBeTrue();
        launches.ShouldBe(3);
        handler.RequestsTo("/fo/scan/", "list").Count.ShouldBe(3);
    }

    [Fact]
    public async Task ListScans_CallerCancelsDuringBackOff_StopsAtOnceWithoutAnotherRequest()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list", Respond.Error(HttpStatusCode.ServiceUnavailable, 1999, "We are performing scheduled maintenance on our System."));
        using var client = TestClients.Create(handler, time);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);

        var task = client.Scans.ListAsync(new ScanListQuery(), cts.Token);
        await time.NextTimerAsync(NotATimeout, task);
        await cts.CancelAsync();

        await Should.ThrowAsync<OperationCanceledException>(() => task);
        handler.Requests.Count.ShouldBe(1);
    }

    [Fact]
    public async Task ListScans_RateLimitWithoutAnyWaitHint_WaitsTheConfiguredMaximumOnlyWithinTheDeadline()
    {
        var time = new ObservedTime();
        var handler = new FakeQualysHandler(time).On("/fo/scan/", "list", Respond.Error(HttpStatusCode.Conflict, 1965, "This API cannot be run again for another 23 hours."));
        using var client = TestClients.Create(handler, time);
        client.Deadline = time.GetUtcNow().AddMinutes(30);

        var ex = await Should.ThrowAsync<QualysApiException>(() => client.Scans.ListAsync(new ScanListQuery(), TestContext.Current.CancellationToken));

        ex.Code.ShouldBe(1965);
        handler.Requests.Count.ShouldBe(1);
        time.Elapsed.ShouldBe(TimeSpan.Zero);
    }
}
