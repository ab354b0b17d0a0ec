using ScanGate.Configuration;
using ScanGate.Infrastructure;
using ScanGate.Scanning;

namespace ScanGate.Core.Tests.Configuration;

/// <summary>
/// "Flags, then environment, then the file" (docs/configuration.md), for every pair of layers, and for the settings
/// that are one choice between two keys: a platform or an API URL, hosts or an EC2 instance.
/// </summary>
public sealed class PrecedenceTests : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 28, 10, 0, 0, TimeSpan.Zero);
    private readonly string _directory = Directory.CreateTempSubdirectory("scangate-precedence-").FullName;
    private readonly DictionaryEnvironment _environment = new();
    private readonly Dictionary<string, IReadOnlyList<string>> _flags = new(StringComparer.Ordinal);
    private readonly List<string> _file = [];

    public PrecedenceTests()
    {
        _environment["QUALYS_PASSWORD"] = "s3cret!";
        _environment["QUALYS_USERNAME"] = "alice";
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    public enum Layer
    {
        Flag,
        Environment,
        File,
    }

    public static TheoryData<Layer, Layer> LayerPairs() => new()
    {
        { Layer.Flag, Layer.Environment },
        { Layer.Flag, Layer.File },
        { Layer.Environment, Layer.File },
    };

    private void Set(Layer layer, string key, string value)
    {
        switch (layer)
        {
            case Layer.Flag:
                _flags[key] = [value];
                break;
            case Layer.Environment:
                _environment[key switch { "platform" => "QUALYS_PLATFORM", "api_url" => "QUALYS_API_URL", _ => "SCANGATE_" + key.ToUpperInvariant() }] = value;
                break;
            default:
                _file.Add($"{key}: '{value}'");
                break;
        }
    }

    private ScanSettings Build()
    {
        File.WriteAllText(Path.Combine(_directory, "scangate.yml"), string.Join('\n', _file) + "\n");
        return ScanConfiguration.Build(new ConfigurationLayers(_flags, _environment, _directory, null), new(null, false), new StringReader(string.Empty), Now);
    }

    [Theory]
    [MemberData(nameof(LayerPairs))]
    public void Build_ApiUrlInAHigherLayer_ReplacesThePlatformOfALowerOne(Layer higher, Layer lower)
    {
        Set(higher, "api_url", "http://127.0.0.1:18443");
        Set(lower, "platform", "EU2");
        Set(Layer.Flag, "host", "192.0.2.10");

        var connection = Build().Connection;

        connection.ApiUrl.ShouldBe(new Uri("http://127.0.0.1:18443"));
        connection.Platform.ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(LayerPairs))]
    public void Build_PlatformInAHigherLayer_ReplacesTheApiUrlOfALowerOne(Layer higher, Layer lower)
    {
        Set(higher, "platform", "US2");
        Set(lower, "api_url", "https://qualysapi.private.example");
        Set(Layer.Flag, "host", "192.0.2.10");

        var connection = Build().Connection;

        connection.Platform.ShouldBe("US2");
        connection.ApiUrl.ShouldBeNull();
    }

    [Theory]
    [MemberData(nameof(LayerPairs))]
    public void Build_SameKeyInTwoLayers_TheHigherWins(Layer higher, Layer lower)
    {
        Set(Layer.Flag, "host", "192.0.2.10");
        Set(higher, "platform", "US3");
        Set(lower, "platform", "EU1");
        Set(higher, "poll_interval", "45s");
        Set(lower, "poll_interval", "5m");
        Set(higher, "fail_on_severity", "5");
        Set(lower, "fail_on_severity", "3");

        var settings = Build();

        settings.Connection.Platform.ShouldBe("US3");
        settings.Request.PollInterval.ShouldBe(TimeSpan.FromSeconds(45));
        settings.Criteria.FailOnSeverity.ShouldBe("5");
    }

    [Theory]
    [InlineData(Layer.Flag)]
    [InlineData(Layer.Environment)]
    [InlineData(Layer.File)]
    public void Build_PlatformAndApiUrlInTheSameLayer_IsAnErrorNamingBoth(Layer layer)
    {
        Set(Layer.Flag, "host", "192.0.2.10");
        Set(layer, "platform", "EU2");
        Set(layer, "api_url", "https://qualysapi.private.example");

        var error = Should.Throw<ConfigurationException>(Build);

        error.Message.ShouldContain("give a platform code or an API URL, not both");
        error.Message.ShouldContain(layer switch { Layer.Flag => "--platform and --api-url", Layer.Environment => "QUALYS_PLATFORM and QUALYS_API_URL", _ => "scangate.yml: platform and scangate.yml: api_url" });
    }

    [Theory]
    [MemberData(nameof(LayerPairs))]
    public void Build_Ec2InstanceInAHigherLayer_ReplacesTheHostsOfALowerOne(Layer higher, Layer lower)
    {
        Set(Layer.Flag, "platform", "US1");
        Set(higher, "ec2_instance", "i-0123456789abcdef0");
        Set(higher, "ec2_connector", "aws-prod");
        Set(lower, "host", "192.0.2.10");
        Set(lower, "network_id", "1001"); // belongs to the replaced host target

        Build().Request.Target.ShouldBe(new Ec2Target("i-0123456789abcdef0", "aws-prod", false, null));
    }

    [Theory]
    [MemberData(nameof(LayerPairs))]
    public void Build_HostsInAHigherLayer_ReplaceTheEc2InstanceOfALowerOne(Layer higher, Layer lower)
    {
        Set(Layer.Flag, "platform", "US1");
        Set(higher, "host", "192.0.2.10");
        Set(lower, "ec2_instance", "i-0123456789abcdef0");
        Set(lower, "ec2_connector", "aws-prod"); // belongs to the replaced EC2 target

        Build().Request.Target.ShouldBeOfType<HostTarget>().Entries.ShouldBe(["192.0.2.10"]);
    }

    [Fact]
    public void Build_HostAndEc2InstanceInTheSameLayer_IsStillAnError()
    {
        Set(Layer.Flag, "platform", "US1");
        Set(Layer.File, "host", "192.0.2.10");
        Set(Layer.File, "ec2_instance", "i-0123456789abcdef0");

        Should.Throw<ConfigurationException>(Build).Message.ShouldContain("scan hosts or one EC2 instance, not both");
    }

    [Fact]
    public void Build_StrayEc2SettingInTheLayerThatChoseHosts_IsStillAnError()
    {
        Set(Layer.Flag, "platform", "US1");
        Set(Layer.Environment, "host", "192.0.2.10");
        Set(Layer.Flag, "ec2_region", "eu-west-1");

        Should.Throw<ConfigurationException>(Build).Message.ShouldContain("--ec2-region 'eu-west-1': only applies to an EC2 target");
    }

    [Theory]
    [InlineData("timeout", "1m")]
    [InlineData("scan_name", "a_name_that_is_far_too_long_for_a_qualys_scan_title_a_name_that_is_far_too_long_for_a_qualys_scan_title_a_name_that_is_far_too_long_for_a_qualys_scan_title_a_name_that_is_far_too_long_for_a_qualys_scan_title_a_name_that_is_far_too_long_for_a_qualys_scan_title")]
    [InlineData("scanner", "all-in-network")]
    public void Build_ErrorForAValueFromTheFile_NamesTheFileKeyNotAFlag(string key, string value)
    {
        Set(Layer.Flag, "platform", "US1");
        Set(Layer.Flag, "host", "192.0.2.10");
        Set(Layer.File, key, value);

        Should.Throw<ConfigurationException>(Build).Message.ShouldStartWith($"scangate.yml: {key} '");
    }
}
