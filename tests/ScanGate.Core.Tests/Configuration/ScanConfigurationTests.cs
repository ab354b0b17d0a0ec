using ScanGate.Configuration;
using ScanGate.Infrastructure;
using ScanGate.Scanning;

namespace ScanGate.Core.Tests.Configuration;

public sealed class ScanConfigurationTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("scangate-config-").FullName;
    private readonly DictionaryEnvironment _environment = new();
    private readonly Dictionary<string, IReadOnlyList<string>> _flags = new(StringComparer.Ordinal);

    public ScanConfigurationTests()
    {
        _environment["QUALYS_PASSWORD"] = "s3cret!";
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    private void Flag(string key, params string[] values) => _flags[key] = values;

    private ScanSettings Build(string? configFile = null, ScanConfiguration.PasswordSource? password = null, string stdin = "") =>
        ScanConfiguration.Build(
            new ConfigurationLayers(_flags, _environment, _directory, configFile),
            password ?? new ScanConfiguration.PasswordSource(null, false),
            new StringReader(stdin),
            Now);

    private void WriteConfig(string yaml, string name = "scangate.yml") => File.WriteAllText(Path.Combine(_directory, name), yaml);

    [Fact]
    public void Build_MinimalFlags_AppliesThePluginDefaults()
    {
        Flag("platform", "US1");
        Flag("username", "alice");
        Flag("host", "192.0.2.10");

        var settings = Build();

        settings.Connection.Platform.ShouldBe("US1");
        settings.Connection.Password.ShouldBe("s3cret!");
        settings.Request.OptionProfile.ShouldBe("Initial Options");
        settings.Request.Scanner.ShouldBe("External");
        settings.Request.PollInterval.ShouldBe(TimeSpan.FromMinutes(2));
        settings.Request.Timeout.ShouldBe(TimeSpan.FromMinutes(60));
        settings.Request.OnHostDown.ShouldBe(HostDownAction.Fail);
        settings.Request.Title.ShouldBe("scangate_build_local_2026-11-28-10-00-00");
        settings.Request.OutputDirectory.ShouldBe(Path.Combine(_directory, "scangate-out"));
        settings.Request.Target.ShouldBeOfType<HostTarget>().Entries.ShouldBe(["192.0.2.10"]);
    }

    [Fact]
    public void Build_FlagsOverrideEnvironmentWhichOverridesTheFile()
    {
        WriteConfig("platform: EU1\nusername: fromfile\nhost: [192.0.2.1, 192.0.2.2]\npoll_interval: 5m\ntimeout: 60*2\noption_profile: File Profile\n");
        _environment["QUALYS_USERNAME"] = "fromenv";
        _environment["SCANGATE_POLL_INTERVAL"] = "30s";
        Flag("poll_interval", "45s");

        var settings = Build();

        settings.Connection.Platform.ShouldBe("EU1");
        settings.Connection.Username.ShouldBe("fromenv");
        settings.Request.PollInterval.ShouldBe(TimeSpan.FromSeconds(45));
        settings.Request.Timeout.ShouldBe(TimeSpan.FromHours(2));
        settings.Request.OptionProfile.ShouldBe("File Profile");
        settings.Request.Target.ShouldBeOfType<HostTarget>().Entries.ShouldBe(["192.0.2.1", "192.0.2.2"]);
    }

    [Fact]
    public void Build_ExplicitConfigFile_IsReadAndMissingOneIsAnError()
    {
        WriteConfig("platform: US2\nusername: bob\nec2_instance: i-0123456789abcdef0\nec2_connector: demo-aws\nrun_connector: true\n", "other.yml");

        var settings = Build("other.yml");

        settings.Request.Target.ShouldBe(new Ec2Target("i-0123456789abcdef0", "demo-aws", true, null));
        Should.Throw<ConfigurationException>(() => Build("missing.yml")).Message.ShouldContain("--config 'missing.yml'");
    }

    [Theory]
    [InlineData("platform: US1\nfail_by_sev: 4\n", "unknown key 'fail_by_sev'")]
    [InlineData("password: hunter2\n", "never goes in a config file")]
    [InlineData("- a\n- b\n", "must be a mapping")]
    [InlineData("host: {a: 1}\n", "must be a value or a list")]
    public void Build_BadConfigFile_IsAnError(string yaml, string problem)
    {
        WriteConfig(yaml);

        var error = Should.Throw<ConfigurationException>(() => Build());

        error.Message.ShouldContain(problem);
        error.Message.ShouldNotContain("hunter2");
    }

    [Fact]
    public void Build_NoPassword_SaysWhereToPutIt()
    {
        _environment["QUALYS_PASSWORD"] = null;
        Flag("platform", "US1");
        Flag("username", "alice");
        Flag("host", "192.0.2.10");

        Should.Throw<ConfigurationException>(() => Build()).Message.ShouldContain("no password flag");
    }

    [Fact]
    public void Build_PasswordFromFileOrStdin_WinsOverTheEnvironment()
    {
        Flag("platform", "US1");
        Flag("username", "alice");
        Flag("host", "192.0.2.10");
        File.WriteAllText(Path.Combine(_directory, "pw"), "from-file\n");

        Build(password: new("pw", false)).Connection.Password.ShouldBe("from-file");
        Build(password: new(null, true), stdin: "from-stdin\nrest").Connection.Password.ShouldBe("from-stdin");
        Should.Throw<ConfigurationException>(() => Build(password: new("pw", true)));
    }

    [Fact]
    public void ConnectionSettings_ToString_HidesThePassword()
    {
        Flag("platform", "US1");
        Flag("username", "alice");
        Flag("host", "192.0.2.10");

        Build().Connection.ToString().ShouldNotContain("s3cret!");
    }

    [Theory]
    [InlineData("host", "192.0.2.10", "ec2_instance", "i-0123456789abcdef0", "not both")]
    [InlineData("platform", "US1", "api_url", "https://qualysapi.example", "not both")]
    [InlineData("api_url", "http://qualys.example.com", null, null, "must be https")]
    [InlineData("api_url", "https://u:p@qualys.example.com", null, null, "must not carry credentials")]
    [InlineData("proxy", "http://user:pw@proxy.corp:3128", null, null, "QUALYS_PROXY_PASSWORD")]
    [InlineData("ec2_instance", "i-nothex", null, null, "not an EC2 instance id")]
    [InlineData("ec2_instance", "i-0123456789abcdef0", null, null, "--ec2-connector")]
    [InlineData("poll_interval", "5s", null, null, "minimum")]
    [InlineData("on_host_down", "ignore", null, null, "fail, warn or pass")]
    [InlineData("scanner", "all-in-network", null, null, "--network-id")]
    [InlineData("network_id", "abc", null, null, "numeric")]
    [InlineData("timeout", "1m", null, null, "shorter than the poll interval")]
    [InlineData("policy", "nope.yml", null, null, "file not found")]
    [InlineData("leave_running", "maybe", null, null, "not a boolean")]
    public void Build_InvalidCombination_IsAConfigurationError(string key, string value, string? key2, string? value2, string problem)
    {
        Flag("username", "alice");
        if (key != "api_url")
        {
            Flag("platform", "US1");
        }

        if (key is not "ec2_instance")
        {
            Flag("host", "192.0.2.10");
        }

        _flags[key] = [value];
        if (key2 is not null)
        {
            _flags[key2] = [value2!];
        }

        if (key is "api_url" && key2 is null)
        {
            _flags.Remove("platform");
        }

        Should.Throw<ConfigurationException>(() => Build()).Message.ShouldContain(problem);
    }

    [Fact]
    public void Build_ApiUrlOnLoopback_MayBePlainHttp()
    {
        Flag("api_url", "http://127.0.0.1:5055");
        Flag("username", "demo");
        Flag("host", "192.0.2.10");

        Build().Connection.ApiUrl.ShouldBe(new Uri("http://127.0.0.1:5055"));
    }

    [Fact]
    public void Build_ScanNameFromCi_UsesJobAndBuild()
    {
        _environment["GITHUB_ACTIONS"] = "true";
        _environment["GITHUB_REPOSITORY"] = "acme/app";
        _environment["GITHUB_RUN_NUMBER"] = "17";
        Flag("platform", "US1");
        Flag("username", "alice");
        Flag("host", "192.0.2.10");
        Flag("scan_name", "[job_name]_gate_[build_number]");

        Build().Request.Title.ShouldBe("acme/app_gate_17_2026-11-28-10-00-00");
    }
}
