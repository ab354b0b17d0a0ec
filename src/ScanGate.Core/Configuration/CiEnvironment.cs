using ScanGate.Infrastructure;

namespace ScanGate.Configuration;

/// <summary>The CI system a run is in, and the job name and build number it gives the scan title.</summary>
public sealed record CiEnvironment(string System, string JobName, string BuildNumber)
{
    public const string LocalJobName = "scangate";

    public const string LocalBuildNumber = "local";

    /// <summary>Reads Jenkins, GitHub Actions, GitLab CI and Azure Pipelines variables; local defaults otherwise.</summary>
    public static CiEnvironment Detect(IEnvironment environment)
    {
        string? Get(string name) => environment.GetVariable(name) is { Length: > 0 } value ? value.Trim() : null;

        if (Get("JENKINS_URL") is not null || Get("JENKINS_HOME") is not null || (Get("JOB_NAME") is not null && Get("BUILD_NUMBER") is not null))
        {
            return new("Jenkins", Get("JOB_NAME") ?? LocalJobName, Get("BUILD_NUMBER") ?? LocalBuildNumber);
        }

        if (string.Equals(Get("GITHUB_ACTIONS"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var job = Join(Get("GITHUB_REPOSITORY"), Get("GITHUB_WORKFLOW")) ?? Get("GITHUB_JOB") ?? LocalJobName;
            return new("GitHub Actions", job, Get("GITHUB_RUN_NUMBER") ?? Get("GITHUB_RUN_ID") ?? LocalBuildNumber);
        }

        if (string.Equals(Get("GITLAB_CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var job = Join(Get("CI_PROJECT_PATH"), Get("CI_JOB_NAME")) ?? LocalJobName;
            return new("GitLab CI", job, Get("CI_PIPELINE_IID") ?? Get("CI_JOB_ID") ?? LocalBuildNumber);
        }

        if (string.Equals(Get("TF_BUILD"), "true", StringComparison.OrdinalIgnoreCase))
        {
            var job = Get("BUILD_DEFINITIONNAME") ?? Get("SYSTEM_DEFINITIONNAME") ?? LocalJobName;
            return new("Azure Pipelines", job, Get("BUILD_BUILDNUMBER") ?? Get("BUILD_BUILDID") ?? LocalBuildNumber);
        }

        return new("local", LocalJobName, LocalBuildNumber);
    }

    private static string? Join(string? first, string? second) => (first, second) switch
    {
        (null, null) => null,
        (null, _) => second,
        (_, null) => first,
        _ => $"{first}/{second}",
    };
}
