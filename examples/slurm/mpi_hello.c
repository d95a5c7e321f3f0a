/* MPI hello world: every rank prints its number, the job's size and the node it runs on.
 * Build on the login node (the controller):  module load openmpi && mpicc -O2 -o mpi_hello mpi_hello.c
 * Run across two nodes:                       sbatch mpi_hello.sbatch                                      */
#include <mpi.h>
#include <stdio.h>

int main(int argc, char **argv)
{
    int rank, size, length;
    char node[MPI_MAX_PROCESSOR_NAME];

    MPI_Init(&argc, &argv);
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    MPI_Get_processor_name(node, &length);
    /* A collective across all ranks, so the program fails unless the nodes really talk to each other. */
    int sum = 0;
    MPI_Allreduce(&rank, &sum, 1, MPI_INT, MPI_SUM, MPI_COMM_WORLD);
    printf("hello from rank %d of %d on %s (sum of ranks %d)\n", rank, size, node, sum);
    MPI_Finalize();
    return 0;
}
