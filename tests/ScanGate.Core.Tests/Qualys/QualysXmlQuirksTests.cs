using System.Net;
using ScanGate.Qualys;

namespace ScanGate.Core.Tests.Qualys;

/// <summary>qualys-api.md §1.5 and §2 framing quirks, and hostile XML.</summary>
public sealed class QualysXmlQuirksTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static async Task<IReadOnlyList<QualysScan>> ListWith(string body, string contentType = "application/xml", HttpStatusCode status = HttpStatusCode.OK)
    {
        var handler = new FakeQualysHandler().On("/fo/scan/", Respond.Xml(status, body, contentType));
        using var client = TestClients.Create(handler);
        return await client.Scans.ListAsync(new ScanListQuery(), Ct);
    }

    [Theory]
    [InlineData("application/xml")]
    [InlineData("text/xml;charset=UTF-8")]
    [InlineData("text/xml")]
    public async Task Response_EitherXmlContentType_IsAccepted(string contentType)
    {
        (await ListWith(Respond.ScanList(("scan/1.1", "t", "Running", null)), contentType)).Count.ShouldBe(1);
    }

    [Fact]
    public async Task Response_NoPrologButDoctypeAndCommentsEverywhere_IsParsed()
    {
        var body = "<!-- This report was generated with an evaluation version of Qualys //-->\n" +
                   "<!DOCTYPE SCAN_LIST_OUTPUT SYSTEM \"https://qualysapi.qualys.com/api/3.0/fo/scan/scan_list_output.dtd\">\n" +
                   "<SCAN_LIST_OUTPUT><!-- a --><RESPONSE><DATETIME>2025-01-09T10:21:25Z</DATETIME>\n<!-- keep-alive for SCAN_LIST_OUTPUT -->\n<SCAN_LIST>" +
                   "<SCAN><REF>scan/1.1</REF><!-- keep-alive --><TITLE><!-- x --><![CDATA[  My scan  ]]></TITLE><STATUS><STATE>Fin<!-- split -->ished</STATE></STATUS></SCAN>" +
                   "</SCAN_LIST></RESPONSE></SCAN_LIST_OUTPUT>\n<!-- CONFIDENTIAL AND PROPRIETARY INFORMATION. //-->";

        var scan = (await ListWith(body)).Single();

        (scan.Title, scan.State).ShouldBe(("My scan", "Finished"));
    }

    [Fact]
    public async Task Response_UnicodeText_IsDecodedAsUtf8()
    {
        var scan = (await ListWith(Respond.ScanList(("scan/1.1", "Prüfung – 検査 ✓", "Running", null)))).Single();

        scan.Title.ShouldBe("Prüfung – 検査 ✓");
    }

    [Fact]
    public async Task Response_EmptyListWithoutWrapper_IsEmptyNotAnError()
    {
        (await ListWith("<SCAN_LIST_OUTPUT><RESPONSE><DATETIME>2025-01-09T10:21:25Z</DATETIME></RESPONSE></SCAN_LIST_OUTPUT>")).ShouldBeEmpty();
    }

    [Fact]
    public async Task Response_AccountExpired2001OnHttp200_IsAnError()
    {
        var ex = await Should.ThrowAsync<QualysApiException>(() => ListWith(
            "<?xml version=\"1.0\" encoding=\"UTF-8\" ?>\n<!DOCTYPE SIMPLE_RETURN SYSTEM \"https://qualysapi.qg3.apps.qualys.com/api/2.0/simple_return.dtd\">\n" +
            "<SIMPLE_RETURN><RESPONSE><DATETIME>2020-09-27T01:23:36Z</DATETIME><CODE>2001</CODE><TEXT>This account has expired.</TEXT></RESPONSE></SIMPLE_RETURN>"));

        (ex.HttpStatus, ex.Code).ShouldBe((200, 2001));
        ex.Hint!.ShouldContain("expired");
    }

    [Fact]
    public async Task Response_BadCredentials401_HintsAtWrongPlatform()
    {
        var ex = await Should.ThrowAsync<QualysApiException>(() => ListWith(
            "<!DOCTYPE SIMPLE_RETURN SYSTEM \"https://qualysapi.qualys.com/api/2.0/simple_return.dtd\">\n<SIMPLE_RETURN><RESPONSE><DATETIME>2020-09-27T01:23:36Z</DATETIME><CODE>2000</CODE><TEXT>Bad Login/Password</TEXT></RESPONSE></SIMPLE_RETURN>",
            status: HttpStatusCode.Unauthorized));

        (ex.HttpStatus, ex.Code, ex.Text).ShouldBe((401, 2000, "Bad Login/Password"));
        ex.Message.ShouldContain("wrong platform");
        ex.Attempts.ShouldBe(1);
    }

    [Fact]
    public async Task Response_401WithoutBody_StillSaysCredentialsOrPlatform()
    {
        var ex = await Should.ThrowAsync<QualysApiException>(() => ListWith(string.Empty, "text/plain", HttpStatusCode.Unauthorized));

        ex.HttpStatus.ShouldBe(401);
        ex.Message.ShouldContain("platform");
    }

    [Fact]
    public async Task Response_HtmlOn200_IsAFormatErrorNotAnEmptyList()
    {
        var ex = await Should.ThrowAsync<QualysResponseFormatException>(() => ListWith("<html><head><title>Proxy login</title></head><body>Sign in</body></html>", "text/html"));

        ex.Message.ShouldContain("HTML");
    }

    [Fact]
    public async Task Response_TruncatedXml_IsAFormatError()
    {
        var full = Respond.ScanList(("scan/1.1", "t", "Running", null), ("scan/1.2", "u", "Running", null));

        var ex = await Should.ThrowAsync<QualysResponseFormatException>(() => ListWith(full[..(full.Length / 2)]));

        ex.Message.ShouldContain("malformed");
    }

    [Fact]
    public async Task Response_UnexpectedRoot_IsAFormatError()
    {
        var ex = await Should.ThrowAsync<QualysResponseFormatException>(() => ListWith("<SOMETHING_ELSE/>"));

        ex.Message.ShouldContain("SCAN_LIST_OUTPUT");
    }

    [Fact]
    public async Task Response_ExternalEntity_IsNeverResolved()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"scangate-xxe-{Guid.NewGuid():N}.txt");
        await File.WriteAllTextAsync(secret, "TOP-SECRET-MARKER", Ct);
        try
        {
            var body = $"<?xml version=\"1.0\"?>\n<!DOCTYPE SCAN_LIST_OUTPUT [ <!ENTITY xxe SYSTEM \"file://{secret}\"> ]>\n" +
                       "<SCAN_LIST_OUTPUT><RESPONSE><DATETIME>x</DATETIME><SCAN_LIST><SCAN><REF>scan/1.1</REF><TITLE>&xxe;</TITLE></SCAN></SCAN_LIST></RESPONSE></SCAN_LIST_OUTPUT>";

            var ex = await Should.ThrowAsync<QualysResponseFormatException>(() => ListWith(body));

            ex.ToString().ShouldNotContain("TOP-SECRET-MARKER");
            ex.Message.ShouldContain("xxe");
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public async Task Response_BillionLaughs_IsNotExpanded()
    {
        var lol = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n" +
                  string.Concat(Enumerable.Range(1, 9).Select(i => $" <!ENTITY lol{i} \"{string.Concat(Enumerable.Repeat($"&lol{(i == 1 ? string.Empty : (i - 1).ToString(System.Globalization.CultureInfo.InvariantCulture))};", 10))}\">\n")) +
                  "]>\n<SCAN_LIST_OUTPUT><RESPONSE><DATETIME>x</DATETIME><SCAN_LIST><SCAN><REF>scan/1.1</REF><TITLE>&lol9;</TITLE></SCAN></SCAN_LIST></RESPONSE></SCAN_LIST_OUTPUT>";
        var before = GC.GetAllocatedBytesForCurrentThread();

        await Should.ThrowAsync<QualysResponseFormatException>(() => ListWith(lol));

        // Expanding lol9 would be 10^9 "lol"s (3 GB); ignoring the DTD keeps the work tiny.
        (GC.GetAllocatedBytesForCurrentThread() - before).ShouldBeLessThan(50_000_000);
    }

    [Fact]
    public async Task Response_InternalSubsetWithoutEntityUse_IsParsedNormally()
    {
        var body = "<!DOCTYPE SCAN_LIST_OUTPUT [ <!ENTITY x SYSTEM \"http://127.0.0.1:1/never\"> <!ATTLIST SCAN_LIST_OUTPUT a CDATA \"default\"> ]>\n" + Respond.ScanList(("scan/1.1", "t", "Running", null))[Respond.ScanList().IndexOf("<SCAN_LIST_OUTPUT>", StringComparison.Ordinal)..];

        (await ListWith(body)).Single().Ref.ShouldBe("scan/1.1");
    }

    [Fact]
    public async Task Response_CdataMentioningHtmlNearTheTop_IsStillXml()
    {
        var scan = (await ListWith(Respond.ScanList(("scan/1.1", "<html><body>web check</body></html>", "Running", null)))).Single();

        scan.Title.ShouldBe("<html><body>web check</body></html>");
    }
}
