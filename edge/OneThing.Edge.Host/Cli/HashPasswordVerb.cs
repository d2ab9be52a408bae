using System.CommandLine;
using OneThing.Edge.Messaging.Security;

namespace OneThing.Edge.Host.Cli;

/// <summary>`onething-edge hash-password`: the PasswordHash for a device under OneThing:Mqtt:Devices (read from stdin, never an argument).</summary>
public static class HashPasswordVerb
{
    public static Command Build()
    {
        var command = new Command("hash-password", "Read a device password from standard input and print its PBKDF2 hash for OneThing:Mqtt:Devices:{i}:PasswordHash.");
        command.SetAction(async (_, cancellationToken) =>
        {
            var password = (await Console.In.ReadLineAsync(cancellationToken))?.TrimEnd('\r');
            if (string.IsNullOrEmpty(password))
            {
                await Console.Error.WriteLineAsync("Give the password on standard input, e.g.: read -rs PW; echo \"$PW\" | onething-edge hash-password");
                return 2;
            }
            Console.WriteLine(DevicePassword.HashPassword(password));
            return 0;
        });
        return command;
    }
}
