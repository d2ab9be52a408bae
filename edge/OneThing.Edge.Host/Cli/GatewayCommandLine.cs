using System.CommandLine;

namespace OneThing.Edge.Host.Cli;

/// <summary>`onething-edge` verbs. `run` is the default; every verb has --help.</summary>
public static class GatewayCommandLine
{
    public static RootCommand Build()
    {
        var root = new RootCommand("OneThing.Edge: fire-lane enforcement gateway. Without a verb it runs the gateway.");
        var run = RunVerb.Build();
        root.Add(run);
        root.Add(CameraBridgeVerb.Build());
        root.Add(DetectVerb.Build());
        root.Add(VerifyAuditVerb.Build());
        root.Add(ExportCaseVerb.Build());
        root.Add(ReplayVerb.Build());
        root.Add(ExportFootageVerb.Build());
        root.Add(HashPasswordVerb.Build());
        foreach (var option in run.Options)
        {
            root.Add(option);
        }
        root.Action = run.Action;
        return root;
    }
}
