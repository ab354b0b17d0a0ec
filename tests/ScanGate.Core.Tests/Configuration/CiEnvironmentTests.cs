using ScanGate.Configuration;
using ScanGate.Infrastructure;

namespace ScanGate.Core.Tests.Configuration;

public sealed class CiEnvironmentTests
{
    private static CiEnvironment Detect(params (string Name, string Value)[] variables) =>
        CiEnvironment.Detect(new DictionaryEnvironment(variables.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal)));

    [Fact]
    public void Detect_Jenkins() =>
        Detect(("JENKINS_URL", "https://ci/"), ("JOB_NAME", "folder/app"), ("BUILD_NUMBER", "42"))
            .ShouldBe(new CiEnvironment("Jenkins", "folder/app", "42"));

    [Fact]
    public void Detect_GitHubActions() =>
        Detect(("GITHUB_ACTIONS", "true"), ("GITHUB_REPOSITORY", "acme/app"), ("GITHUB_WORKFLOW", "ci"), ("GITHUB_RUN_NUMBER", "17"))
            .ShouldBe(new CiEnvironment("GitHub Actions", "acme/app/ci", "17"));

    [Fact]
    public void Detect_GitLab() =>
        Detect(("GITLAB_CI", "true"), ("CI_PROJECT_PATH", "acme/app"), ("CI_JOB_NAME", "gate"), ("CI_PIPELINE_IID", "9"))
            .ShouldBe(new CiEnvironment("GitLab CI", "acme/app/gate", "9"));

    [Fact]
    public void Detect_AzurePipelines() =>
        Detect(("TF_BUILD", "True"), ("BUILD_DEFINITIONNAME", "app-ci"), ("BUILD_BUILDNUMBER", "20261128.3"))
            .ShouldBe(new CiEnvironment("Azure Pipelines", "app-ci", "20261128.3"));

    [Fact]
    public void Detect_Nothing_GivesLocalDefaults() =>
        Detect().ShouldBe(new CiEnvironment("local", CiEnvironment.LocalJobName, CiEnvironment.LocalBuildNumber));
}
