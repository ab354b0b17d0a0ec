using ScanGate.Configuration;

namespace ScanGate.Core.Tests.Configuration;

public sealed class DurationParserTests
{
    [Theory]
    [InlineData("30s", 30)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("5", 300)]
    [InlineData("60*2", 7200)]
    [InlineData("2*60*3", 21600)]
    [InlineData(" 60 * 2 ", 7200)]
    [InlineData("90S", 90)]
    public void Parse_AcceptedForms_GiveTheDuration(string text, int seconds) =>
        DurationParser.Parse("--timeout", text).ShouldBe(TimeSpan.FromSeconds(seconds));

    [Theory]
    [InlineData("")]
    [InlineData("1.5")]
    [InlineData("abc")]
    [InlineData("60*")]
    [InlineData("*2")]
    [InlineData("-5")]
    [InlineData("0")]
    [InlineData("0s")]
    [InlineData("2d")]
    [InlineData("99999999*99999999*99999999")]
    public void Parse_Invalid_IsAnErrorNamingFieldAndValue(string text)
    {
        // The plugin fell back to its default on any of these, silently (§2.4).
        var error = Should.Throw<ConfigurationException>(() => DurationParser.Parse("--timeout", text));
        error.Message.ShouldStartWith("--timeout");
        error.Field.ShouldBe("--timeout");
    }

    [Theory]
    [InlineData("9s")]
    [InlineData("1s")]
    public void ParsePollInterval_UnderTenSeconds_IsRefused(string text) =>
        Should.Throw<ConfigurationException>(() => DurationParser.ParsePollInterval("--poll-interval", text)).Message.ShouldContain("minimum");

    [Fact]
    public void ParsePollInterval_TenSeconds_IsAccepted() =>
        DurationParser.ParsePollInterval("--poll-interval", "10s").ShouldBe(TimeSpan.FromSeconds(10));
}

public sealed class TargetParserTests
{
    [Theory]
    [InlineData("10.0.0.5", "10.0.0.5")]
    [InlineData("10.0.0.1-10.0.0.9", "10.0.0.1-10.0.0.9")]
    [InlineData("10.0.0.0/24", "10.0.0.0-10.0.0.255")]
    [InlineData("10.0.0.7/32", "10.0.0.7")]
    [InlineData("2001:db8::1", "2001:db8::1")]
    [InlineData("2001:DB8::1-2001:db8::ff", "2001:db8::1-2001:db8::ff")]
    [InlineData("2001:db8::/120", "2001:db8::-2001:db8::ff")]
    [InlineData("10.0.0.3-10.0.0.3", "10.0.0.3")]
    public void Parse_OneEntry_GivesTheQualysForm(string text, string expected) =>
        TargetParser.Parse("--host", [text]).ShouldBe([expected]);

    [Fact]
    public void Parse_ListsAcrossValuesAndSeparators_AreMergedWithoutDuplicates() =>
        TargetParser.Parse("--host", ["192.0.2.10, 192.0.2.11", "192.0.2.10 10.0.0.0/30"])
            .ShouldBe(["192.0.2.10", "192.0.2.11", "10.0.0.0-10.0.0.3"]);

    [Theory]
    [InlineData("10.1", "not an IPv4")]
    [InlineData("1", "not an IPv4")]
    [InlineData("256.0.0.1", "not an IPv4")]
    [InlineData("10.0.0.9-10.0.0.1", "start is after its end")]
    [InlineData("10.0.0.1-2001:db8::1", "same family")]
    [InlineData("10.0.0.5/24", "host bits set; did you mean 10.0.0.0/24")]
    [InlineData("10.0.0.0/33", "prefix length")]
    [InlineData("10.0.0.0/4", "too large")]
    [InlineData("fe80::1%eth0", "not an IPv6")]
    [InlineData("example.com", "not an IPv4")]
    [InlineData("env.HOST_IP", "not an IPv4")]
    public void Parse_Invalid_NamesTheEntry(string text, string problem)
    {
        var error = Should.Throw<ConfigurationException>(() => TargetParser.Parse("--host", ["192.0.2.1", text]));
        error.Message.ShouldContain($"'{text}'");
        error.Message.ShouldContain(problem);
    }

    [Fact]
    public void Parse_Nothing_IsAnError() =>
        Should.Throw<ConfigurationException>(() => TargetParser.Parse("--host", [" , "]));
}

public sealed class ScanTitleTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 15, 30, TimeSpan.FromHours(2));

    [Fact]
    public void Expand_DefaultTemplate_ReplacesTokensAndAppendsUtcTimestamp() =>
        ScanTitle.Expand(ScanTitle.DefaultTemplate, "folder/app", "42", Now).ShouldBe("folder/app_build_42_2026-11-28-08-15-30");

    [Fact]
    public void Expand_TokensAnyCase_AreReplaced() =>
        ScanTitle.Expand("[JOB_NAME]-[Build_Number]-[TimeStamp]", "app", "7", Now).ShouldBe("app-7-2026-11-28-08-15-30_2026-11-28-08-15-30");

    [Fact]
    public void Expand_ReplacementText_IsLiteral()
    {
        // The plugin used JOB_NAME as a regex replacement: "$" or "\" threw (§11 item 14).
        ScanTitle.Expand("[job_name]", "a$1\\b[timestamp]", "1", Now).ShouldBe("a$1\\b[timestamp]_2026-11-28-08-15-30");
    }

    [Fact]
    public void Expand_Over256Characters_IsAnError()
    {
        var error = Should.Throw<ConfigurationException>(() => ScanTitle.Expand("[job_name]", new string('j', 237), "1", Now));
        error.Message.ShouldContain("257 characters");
        ScanTitle.Expand("[job_name]", new string('j', 236), "1", Now).Length.ShouldBe(256);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Expand_Empty_IsAnError(string template) =>
        Should.Throw<ConfigurationException>(() => ScanTitle.Expand(template, "a", "1", Now));
}
